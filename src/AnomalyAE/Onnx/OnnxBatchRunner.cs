using Microsoft.ML.OnnxRuntime;

namespace AnomalyAE.Onnx;

/// <summary>
/// Runs batches of up to <see cref="Capacity"/> rows through a model's session: managed input and output buffers, bound to
/// ONNX Runtime values once per batch size (so repeated runs of one size, such as single rows, allocate nothing). One per
/// cursor, row or thread: not thread-safe.
/// </summary>
internal sealed class OnnxBatchRunner : IDisposable
{
    private readonly OnnxScoringModel _model;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding _binding;
    private int[] _fetched;
    private OrtValue[] _inputValues = [];
    private OrtValue[] _outputValues = [];
    private int _boundRows;

    /// <param name="model">The model.</param>
    /// <param name="capacity">Rows per batch at most.</param>
    /// <param name="fetched">Indexes of the outputs to compute (ONNX Runtime runs only the nodes they need); null for all.</param>
    public OnnxBatchRunner(OnnxScoringModel model, int capacity, int[]? fetched = null)
    {
        _model = model;
        Capacity = capacity;
        _binding = model.Session.CreateIoBinding();
        Inputs = [.. model.Inputs.Select(i => new float[capacity * i.Width])];
        Outputs = [.. model.Outputs.Select(_ => Array.Empty<float>())];
        _fetched = [];
        Fetch(fetched ?? [.. Enumerable.Range(0, model.Outputs.Count)]);
    }

    /// <summary>
    /// Computes the outputs at <paramref name="outputs"/> (indexes into <see cref="OnnxScoringModel.Outputs"/>) from the next
    /// run on: ONNX Runtime runs only the nodes they need. Loaded inputs are kept.
    /// </summary>
    public void Fetch(IReadOnlyCollection<int> outputs)
    {
        if (outputs.Count == _fetched.Length && outputs.All(_fetched.Contains)) return;
        _fetched = [.. outputs.Order()];
        foreach (int i in _fetched)
            if (Outputs[i].Length == 0) Outputs[i] = _model.Outputs[i].IsBoolean ? new bool[Capacity] : new float[Capacity * _model.Outputs[i].Width];
        _boundRows = 0;   // rebind before the next run
    }

    public int Capacity { get; }

    /// <summary>Row-major values of each graph input (in <see cref="OnnxScoringModel.Inputs"/> order).</summary>
    public float[][] Inputs { get; }

    /// <summary>Row-major values of each graph output (in <see cref="OnnxScoringModel.Outputs"/> order): float[] or bool[]; empty when not fetched.</summary>
    public Array[] Outputs { get; }

    /// <summary>Scores the first <paramref name="rows"/> rows of the input buffers into the output buffers.</summary>
    public void Run(int rows)
    {
        if (!_model.TryAcquire()) throw new ObjectDisposedException(nameof(OnnxScoringTransformer), "The ONNX model was disposed.");
        try
        {
            if (rows != _boundRows) Bind(rows);
            // An I/O binding, set up once per batch size: a run allocates nothing.
            _model.Session.RunWithBinding(_runOptions, _binding);
        }
        finally
        {
            _model.Release();
        }
    }

    // OrtValues over the managed arrays (pinned while bound), shaped for this many rows.
    private void Bind(int rows)
    {
        DisposeValues();
        _inputValues = [.. _model.Inputs.Select((input, i) =>
            OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, Inputs[i].AsMemory(0, rows * input.Width), [rows, input.Width]))];
        _outputValues = [.. _fetched.Select(i => (Output: _model.Outputs[i], Buffer: Outputs[i])).Select(o => o.Buffer switch
        {
            bool[] labels => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, labels.AsMemory(0, rows), [rows]),
            float[] values => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, values.AsMemory(0, rows * o.Output.Width),
                o.Output.IsVector ? [rows, o.Output.Width] : [rows]),
            _ => throw new InvalidOperationException(),
        })];
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        for (int i = 0; i < _inputValues.Length; i++) _binding.BindInput(_model.Inputs[i].Name, _inputValues[i]);
        for (int i = 0; i < _fetched.Length; i++) _binding.BindOutput(_model.Outputs[_fetched[i]].Name, _outputValues[i]);
        _boundRows = rows;
    }

    private void DisposeValues()
    {
        foreach (var value in _inputValues.Concat(_outputValues)) value.Dispose();
        _inputValues = [];
        _outputValues = [];
        _boundRows = 0;
    }

    public void Dispose()
    {
        DisposeValues();
        _binding.Dispose();
        _runOptions.Dispose();
    }
}
