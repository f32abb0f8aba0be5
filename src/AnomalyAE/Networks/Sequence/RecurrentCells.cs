using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace AnomalyAE.Networks;

/// <summary>
/// One step of a GRU or LSTM cell written with explicit operations, in ONNX's gate order so that the weights export to
/// ONNX's <c>GRU</c> and <c>LSTM</c> operators unchanged. The input's projection (x·W_ihᵀ + b_ih, all gates) is computed by
/// the caller, for every step at once when it can.
/// </summary>
/// <remarks>
/// GRU, gates z, r, n (ONNX's z, r, h, <c>linear_before_reset</c> = 1, as PyTorch): z = σ(x_z + h_z), r = σ(x_r + h_r),
/// n = tanh(x_n + r ⊙ h_n), h′ = n + z ⊙ (h − n), where h_· = h·W_hhᵀ + b_hh per gate. LSTM, gates i, o, f, c (ONNX's order):
/// c′ = σ(f) ⊙ c + σ(i) ⊙ tanh(c̃), h′ = σ(o) ⊙ tanh(c′).
/// </remarks>
internal static class RecurrentCells
{
    /// <summary>The state after one step: the hidden state, and for an LSTM the cell state (null for a GRU).</summary>
    public static (Tensor Hidden, Tensor? Cell) Step(RecurrentCell cell, Tensor inputProjection, Tensor hidden, Tensor? cellState, Tensor stateWeight, Tensor stateBias)
    {
        var state = F.linear(hidden, stateWeight, stateBias);
        if (cell == RecurrentCell.Gru)
        {
            var x = inputProjection.chunk(3, 1);
            var h = state.chunk(3, 1);
            var update = x[0].Plus(h[0]).sigmoid();
            var reset = x[1].Plus(h[1]).sigmoid();
            var candidate = x[2].Plus(reset * h[2]).tanh();
            return (candidate.Plus(update * (hidden - candidate)), null);
        }
        var gates = inputProjection.Plus(state).chunk(4, 1);
        var input = gates[0].sigmoid();
        var output = gates[1].sigmoid();
        var forget = gates[2].sigmoid();
        var next = (forget * cellState!).Plus(input * gates[3].tanh());
        return (output * next.tanh(), next);
    }

    /// <summary>A zero state for <paramref name="rows"/> rows of <paramref name="width"/>.</summary>
    public static Tensor ZeroState(long rows, int width) => zeros([rows, width]);

    /// <summary>
    /// ONNX's <c>GRU</c> or <c>LSTM</c> over <paramref name="sequence"/> [steps, N, inputs] with these weights; returns its
    /// outputs Y [steps, 1, N, H] and Y_h [1, N, H].
    /// </summary>
    public static (string Outputs, string Last) Emit(OnnxGraph g, RecurrentCell cell, string sequence, Tensor inputWeight, Tensor inputBias, Tensor stateWeight, Tensor stateBias, int width)
    {
        string Leading(Tensor t) => g.Constant("w", OnnxGraph.Values(t), [1, .. t.shape]);
        var bias = g.Constant("b", [.. OnnxGraph.Values(inputBias), .. OnnxGraph.Values(stateBias)], 1, inputBias.shape[0] + stateBias.shape[0]);
        string[] inputs = [sequence, Leading(inputWeight), Leading(stateWeight), bias];
        var outputs = cell == RecurrentCell.Gru
            ? g.Nodes("GRU", inputs, 2, OnnxAttribute.Int("hidden_size", width), OnnxAttribute.Int("linear_before_reset", 1))
            : g.Nodes("LSTM", inputs, 3, OnnxAttribute.Int("hidden_size", width));
        return (outputs[0], outputs[1]);
    }
}
