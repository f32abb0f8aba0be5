namespace AnomalyAE.Hosting.Records;

/// <summary>
/// What became of each record of a <see cref="RecordBatch"/>: a score and predicted label, or the reason it could not be
/// scored; for anomalies, the features that contributed most (when the model emits feature contributions). Output column
/// names are the model's own.
/// </summary>
internal sealed class ScoredBatch
{
    private readonly float[] _scores;
    private readonly bool[] _anomalous;
    private readonly string?[] _errors;
    private readonly string[]? _featureNames;
    private readonly IReadOnlyDictionary<int, float[]> _shares;

    /// <param name="batch">The records.</param>
    /// <param name="scoreColumnName">The model's score column name, used for the score in outputs.</param>
    /// <param name="predictedLabelColumnName">The model's predicted-label column name.</param>
    /// <param name="scores">Per record; ignored where <paramref name="errors"/> is set.</param>
    /// <param name="anomalous">Per record: the predicted label.</param>
    /// <param name="errors">Per record: why it was not scored, or null.</param>
    /// <param name="featureNames">The contribution slots' names; null when the model emits no contributions.</param>
    /// <param name="shares">For anomalous records: each feature's share of the reconstruction error.</param>
    public ScoredBatch(RecordBatch batch, string scoreColumnName, string predictedLabelColumnName, float[] scores, bool[] anomalous, string?[] errors,
        string[]? featureNames = null, IReadOnlyDictionary<int, float[]>? shares = null)
    {
        Batch = batch;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        _scores = scores;
        _anomalous = anomalous;
        _errors = errors;
        _featureNames = featureNames;
        _shares = shares ?? new Dictionary<int, float[]>();
        for (int r = 0; r < batch.Count; r++)
        {
            if (errors[r] is not null) Rejected++;
            else if (anomalous[r]) Anomalies++;
        }
    }

    public RecordBatch Batch { get; }
    public string ScoreColumnName { get; }
    public string PredictedLabelColumnName { get; }
    public int Count => Batch.Count;
    public int Rejected { get; }
    public int Scored => Count - Rejected;
    public int Anomalies { get; }

    /// <summary>True when the model emits feature contributions, so alerts can name their top features.</summary>
    public bool HasContributions => _featureNames is not null;

    /// <summary>Number of features contributions are reported for; 0 without contributions.</summary>
    public int FeatureCount => _featureNames?.Length ?? 0;

    /// <summary>For a sequence model: the name results give the series (its series field, or <c>series</c>); null for a tabular model.</summary>
    public string? SeriesField { get; init; }

    /// <summary>For a sequence model: each scored record's series (null otherwise).</summary>
    public IReadOnlyList<string?>? Series { get; init; }

    /// <summary>For a sequence model: each scored record's time step: its order field as sent, or (without an order field) the steps of its series before it.</summary>
    public IReadOnlyList<string?>? Steps { get; init; }

    public float Score(int record) => _scores[record];
    public bool IsAnomaly(int record) => _errors[record] is null && _anomalous[record];
    public string? Error(int record) => _errors[record];

    /// <summary>The records that were not scored, with the reason.</summary>
    public IEnumerable<(string Id, string Error)> Rejections =>
        Enumerable.Range(0, Count).Where(r => _errors[r] is not null).Select(r => (Batch.Id(r), _errors[r]!));

    /// <summary>
    /// Fills <paramref name="top"/> with an anomalous record's largest feature shares, largest first (ties: the earlier
    /// feature); returns how many were filled: 0 when the record is no anomaly or the model emits no contributions.
    /// </summary>
    public int TopFeatures(int record, Span<(string Name, float Share)> top)
    {
        if (_featureNames is null || !_shares.TryGetValue(record, out var shares)) return 0;
        Span<int> largest = top.Length <= 256 ? stackalloc int[top.Length] : new int[top.Length];
        int k = ContributionRanking.Largest(shares, largest);
        for (int i = 0; i < k; i++) top[i] = (_featureNames[largest[i]], shares[largest[i]]);
        return k;
    }
}
