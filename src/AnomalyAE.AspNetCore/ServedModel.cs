namespace AnomalyAE.AspNetCore;

/// <summary>
/// One loaded model file and what serving it needs: its columns and its routes. A row model scores each row on its own
/// (<see cref="RowModel"/>); a sequence model scores rows as steps of their series (<see cref="SequenceSteps"/>, whose
/// windows belong to this model) and whole windows (<see cref="WindowRoute"/>). The requests using it hold leases
/// (<see cref="ReloadableModelFile{T}"/>), so a model replaced by a reload is disposed only after its last request.
/// </summary>
internal sealed class ServedModel : IDisposable
{
    private readonly ScoringModelFile _file;
    private readonly RowModel? _rows;
    private readonly WindowRoute? _windows;
    private readonly string _noWindows = "";

    private ServedModel(ScoringModelFile file, IReadOnlyCollection<string> responseColumns, OnlineSequenceScorerOptions sequenceOptions)
    {
        _file = file;
        if (file.Contract.Detector is not SequenceAutoencoderTransformer stage)
        {
            _rows = new RowModel(file.Model, file.InputSchema, file.Contract);
            _noWindows = "the model served now scores each row on its own (it is not a sequence model), so it has no windows.";
            return;
        }
        Steps = new SequenceSteps(file, stage, sequenceOptions);
        _windows = WindowRoute.TryCreate(file, stage, responseColumns, out var reason);
        _noWindows = reason ?? "";
    }

    public ScoringContract Columns => _file.Contract;

    /// <summary>The sequence model's step scorer; null for a row model.</summary>
    public SequenceSteps? Steps { get; }

    /// <summary>The route of <c>POST {pattern}</c>: rows on their own, or steps of their series.</summary>
    public IScoringRoute Rows => (IScoringRoute?)Steps ?? _rows!;

    /// <summary>The route of <c>POST {pattern}/windows</c>.</summary>
    /// <exception cref="RequestProblem">409: this model has no windows to score.</exception>
    public IScoringRoute Windows => _windows ?? throw RequestProblem.NoWindows(_noWindows);

    /// <summary>
    /// Loads a model file (verifying its signature when <paramref name="signingKey"/> is given), to serve
    /// <paramref name="responseColumns"/> of its detector's columns (empty for all); a sequence model keeps its series'
    /// windows as <paramref name="sequenceOptions"/> say.
    /// </summary>
    public static ServedModel Load(string path, ModelSigningKey? signingKey, IReadOnlyCollection<string> responseColumns, OnlineSequenceScorerOptions sequenceOptions)
    {
        ScoringModelFile file;
        try
        {
            file = ScoringModelFile.Load(path, signingKey, responseColumns);
        }
        catch (InvalidOperationException e) when (responseColumns.Count > 0 && e.Message.StartsWith("Output column", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"AnomalyScorerOptions.ResponseColumns: {e.Message}", e);
        }
        try
        {
            return new(file, responseColumns, sequenceOptions);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>What a loaded model serves, for the log.</summary>
    public string Describe()
    {
        if (Steps?.Scorer.Detector is not { } stage) return "scores each row on its own";
        string series = stage.SeriesColumnName is { } s ? $"of the series in field '{s}'" : "of one series";
        string order = stage.OrderColumnName is { } o ? $", ordered by field '{o}'" : ", in arrival order";
        string windows = _windows is { } route
            ? $"; POST .../windows scores whole windows of {stage.WindowSize} steps × ({string.Join(", ", route.StepFields.Select(f => f.Name))})" +
              (stage.ScoreBaselineSteps > 0 ? " by their reconstruction error" : "")
            : $"; no windows route: {_noWindows}";
        string baseline = stage.ScoreBaselineSteps > 0 ? $", relative to the series' last {stage.ScoreBaselineSteps} scores" : "";
        return $"scores each row as a step {series}{order}, against a window of its last {stage.WindowSize} steps kept in this instance{baseline}{windows}";
    }

    /// <summary>Frees the routes' engines and the model's native weights (after the last lease, when served by a <see cref="ReloadableModelFile{T}"/>).</summary>
    public void Dispose()
    {
        _rows?.Dispose();
        _windows?.Dispose();
        _file.Dispose();
    }
}
