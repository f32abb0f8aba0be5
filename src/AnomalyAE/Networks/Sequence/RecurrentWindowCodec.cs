using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AnomalyAE.Networks;

/// <summary>
/// A recurrent encoder–decoder (the LSTM autoencoder of Malhotra et al., 2016, with the code repeated as the decoder's
/// input). Encoder: the cell (<see cref="RecurrentCells"/>) over the window's steps from a zero state, then a linear layer
/// from its last hidden state to the code. Decoder: the cell over as many steps, each reading the code, from a zero state,
/// and a linear layer from each step's hidden state to that step's channels.
/// </summary>
internal sealed class RecurrentWindowCodec : WindowCodec
{
    private readonly Parameter encoder_input_weight, encoder_input_bias, encoder_state_weight, encoder_state_bias;
    private readonly Parameter decoder_input_weight, decoder_input_bias, decoder_state_weight, decoder_state_bias;
    private readonly Linear to_code, to_output;
    private readonly SequenceAutoencoderSpec _spec;

    public RecurrentWindowCodec(SequenceAutoencoderSpec spec, Generator generator) : base(nameof(RecurrentWindowCodec))
    {
        _spec = spec;
        int width = spec.StateWidth, gates = spec.Gates * width;
        double bound = 1.0 / Math.Sqrt(width);   // PyTorch's initialization of recurrent layers
        encoder_input_weight = SequenceAutoencoder.UniformParameter([gates, spec.Channels], bound, generator);
        encoder_input_bias = SequenceAutoencoder.UniformParameter([gates], bound, generator);
        encoder_state_weight = SequenceAutoencoder.UniformParameter([gates, width], bound, generator);
        encoder_state_bias = SequenceAutoencoder.UniformParameter([gates], bound, generator);
        decoder_input_weight = SequenceAutoencoder.UniformParameter([gates, spec.LatentDimension], bound, generator);
        decoder_input_bias = SequenceAutoencoder.UniformParameter([gates], bound, generator);
        decoder_state_weight = SequenceAutoencoder.UniformParameter([gates, width], bound, generator);
        decoder_state_bias = SequenceAutoencoder.UniformParameter([gates], bound, generator);
        to_code = nn.Linear(width, spec.LatentDimension);
        to_output = nn.Linear(width, spec.Channels);
        RegisterComponents();
    }

    public override Tensor Encode(Tensor windows)
    {
        var steps = F.linear(windows.reshape(-1, _spec.WindowSize, _spec.Channels), encoder_input_weight, encoder_input_bias);   // [B, W, G·H]
        long rows = steps.shape[0];
        var hidden = RecurrentCells.ZeroState(rows, _spec.StateWidth);
        Tensor? cell = _spec.Cell == RecurrentCell.Lstm ? RecurrentCells.ZeroState(rows, _spec.StateWidth) : null;
        for (int t = 0; t < _spec.WindowSize; t++)
            (hidden, cell) = RecurrentCells.Step(_spec.Cell, steps.select(1, t), hidden, cell, encoder_state_weight, encoder_state_bias);
        return to_code.call(hidden);
    }

    public override Tensor Decode(Tensor code)
    {
        var input = F.linear(code, decoder_input_weight, decoder_input_bias);   // the same input at every step
        long rows = code.shape[0];
        var hidden = RecurrentCells.ZeroState(rows, _spec.StateWidth);
        Tensor? cell = _spec.Cell == RecurrentCell.Lstm ? RecurrentCells.ZeroState(rows, _spec.StateWidth) : null;
        var states = new Tensor[_spec.WindowSize];
        for (int t = 0; t < _spec.WindowSize; t++)
        {
            (hidden, cell) = RecurrentCells.Step(_spec.Cell, input, hidden, cell, decoder_state_weight, decoder_state_bias);
            states[t] = hidden;
        }
        return to_output.call(stack(states, 1)).reshape(-1, _spec.InputDimension);   // [B, W, C] → [B, W·C], time-major
    }

    public override string EmitEncode(OnnxGraph g, string windows)
    {
        var sequence = g.Node("Transpose", [g.Reshape(windows, -1, _spec.WindowSize, _spec.Channels)], OnnxAttribute.Ints("perm", 1, 0, 2));   // [W, N, C]
        var (_, last) = RecurrentCells.Emit(g, _spec.Cell, sequence, encoder_input_weight, encoder_input_bias, encoder_state_weight, encoder_state_bias, _spec.StateWidth);
        return g.Linear(to_code, g.Node("Squeeze", [last], OnnxAttribute.Ints("axes", 0)));
    }

    public override string EmitDecode(OnnxGraph g, string code)
    {
        var repeated = g.Node("Expand", [g.Unsqueeze(code, 0), g.Int64Constant("steps", _spec.WindowSize, 1, 1)]);   // [W, N, k]
        var (outputs, _) = RecurrentCells.Emit(g, _spec.Cell, repeated, decoder_input_weight, decoder_input_bias, decoder_state_weight, decoder_state_bias, _spec.StateWidth);
        var states = g.Node("Transpose", [g.Node("Squeeze", [outputs], OnnxAttribute.Ints("axes", 1))], OnnxAttribute.Ints("perm", 1, 0, 2));   // [N, W, H]
        var channels = g.Linear(to_output, g.Reshape(states, -1, _spec.StateWidth));   // [N·W, C]
        return g.Reshape(channels, -1, _spec.InputDimension);
    }
}
