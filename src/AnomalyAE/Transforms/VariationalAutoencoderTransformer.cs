using AnomalyAE.Networks;
using AnomalyAE.Runtime;
using AnomalyAE.Training;
using AnomalyAE.Transforms;
using Microsoft.ML;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace AnomalyAE;

/// <summary>
/// A fitted variational autoencoder: adds <c>Score</c>, <c>PredictedLabel</c>, <c>LatentFeatures</c> (the posterior mean μ),
/// optionally <c>LatentLogVariance</c>, and <c>Reconstruction</c> (the decoded μ); decodes latent points and generates rows.
/// </summary>
public sealed class VariationalAutoencoderTransformer : AutoencoderTransformerBase<VariationalAutoencoderTransformer>
{
    internal VariationalAutoencoderTransformer(ScoringStage stage, IReadOnlyList<EpochLoss> history) : base(stage, history)
    {
    }

    /// <summary>The column holding the posterior log-variance log σ²; null when the model does not emit it.</summary>
    public string? LatentLogVarianceColumnName => Outputs.NameOf(OutputKind.LatentLogVariance);

    private protected override VariationalAutoencoderTransformer With(ScoringStage stage) => new(stage, TrainingHistory);

    /// <summary>
    /// The same trained weights scoring rows another way (see <see cref="VariationalScoreKind"/>). Scores of different kinds
    /// live on different scales, so the decision threshold does not carry over: pass one for the new kind (for example a
    /// high quantile of its scores on normal rows). For the same reason the calibration does not carry over: the copy emits
    /// no probability column. Dispose each transformer you create.
    /// </summary>
    public VariationalAutoencoderTransformer WithScoreKind(VariationalScoreKind scoreKind, float threshold)
    {
        Rules.ForOptions.Defined(nameof(scoreKind), scoreKind);
        Rules.ForOptions.Finite(nameof(threshold), threshold);
        var spec = (VariationalAutoencoderSpec)Model.Network.Spec with { ScoreKind = scoreKind };
        var network = spec.CreateNetwork(seed: 0);
        try
        {
            Model.Run(current =>
            {
                using var saved = new MemoryStream();
                current.save(saved); // closes the stream; ToArray still works
                using var weights = new MemoryStream(saved.ToArray());
                network.load(weights);
                return 0;
            });
            var outputs = new OutputColumns([.. Outputs.Columns.Where(c => c.Kind != OutputKind.Probability)]);
            return new(new ScoringStage(new ScoringModel(network, Model.Threads, Model.BatchSize), outputs, FeatureColumnName, threshold, Calibration: null), TrainingHistory);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Decodes latent points (each of length <see cref="AutoencoderTransformerBase.LatentDimension"/>) into feature rows.</summary>
    public float[][] Decode(IReadOnlyList<float[]> latentPoints)
    {
        ArgumentNullException.ThrowIfNull(latentPoints);
        var flat = Flatten(latentPoints, LatentDimension, nameof(latentPoints), "latent point");
        return Model.Run(network => Rows(((ILatentDecoder)network).Decode(TensorBuffers.FromRows(flat, latentPoints.Count, LatentDimension)), InputDimension));
    }

    /// <summary>Draws <paramref name="count"/> latent points from the prior N(0, I) with <paramref name="seed"/> and decodes them.</summary>
    public float[][] Generate(int count, int seed)
    {
        Rules.ForOptions.Range(nameof(count), count, 1, 10_000_000);
        return Decode(SamplePrior(count, seed));
    }

    /// <summary>
    /// Decodes <paramref name="steps"/> points evenly spaced on the segment between the posterior means of two input rows
    /// (both ends included).
    /// </summary>
    public float[][] Interpolate(float[] from, float[] to, int steps)
    {
        Rules.ForOptions.Range(nameof(steps), steps, 2, 100_000);
        var ends = Flatten([from, to], InputDimension, "rows", "row");
        var means = Model.Run(network => Rows(((ILatentDecoder)network).EncodeMean(TensorBuffers.FromRows(ends, 2, InputDimension)), LatentDimension));
        var points = Enumerable.Range(0, steps).Select(i =>
        {
            float t = i / (float)(steps - 1);
            return means[0].Zip(means[1], (a, b) => a + t * (b - a)).ToArray();
        }).ToArray();
        return Decode(points);
    }

    /// <summary>Decoded latent points as an <see cref="IDataView"/> with columns <c>LatentFeatures</c> and the feature column (so it can be scored by the same pipeline stage).</summary>
    public IDataView DecodeToDataView(MLContext context, IReadOnlyList<float[]> latentPoints)
    {
        ArgumentNullException.ThrowIfNull(context);
        var decoded = Decode(latentPoints);
        var rows = decoded.Select((features, i) => new DecodedRow { LatentFeatures = latentPoints[i], Features = features });
        var schema = SchemaDefinition.Create(typeof(DecodedRow));
        schema[nameof(DecodedRow.LatentFeatures)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, LatentDimension);
        schema[nameof(DecodedRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputDimension);
        schema[nameof(DecodedRow.Features)].ColumnName = FeatureColumnName;
        return context.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>Generated rows as an <see cref="IDataView"/>; see <see cref="DecodeToDataView"/>.</summary>
    public IDataView GenerateDataView(MLContext context, int count, int seed) => DecodeToDataView(context, SamplePrior(count, seed));

    private float[][] SamplePrior(int count, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var draws = randn([count, LatentDimension], generator: generator);
        return Rows(draws, LatentDimension);
    }

    private static float[] Flatten(IReadOnlyList<float[]> rows, int width, string parameter, string what)
    {
        var flat = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i] is null || rows[i].Length != width)
                throw new ArgumentException($"Each {what} must have {width} values; {what} {i} has {rows[i]?.Length.ToString() ?? "null"}.", parameter);
            RowValuesCheck(rows[i], i, parameter);
            rows[i].CopyTo(flat, i * width);
        }
        return flat;
    }

    private static void RowValuesCheck(float[] row, int index, string parameter)
    {
        for (int j = 0; j < row.Length; j++)
            if (!float.IsFinite(row[j])) throw new ArgumentException($"Value {j} of {parameter}[{index}] is {row[j]}; values must be finite.", parameter);
    }

    private static float[][] Rows(Tensor tensor, int width)
    {
        var flat = new float[tensor.shape[0] * width];
        TensorBuffers.CopyTo(tensor, flat);
        return Enumerable.Range(0, (int)tensor.shape[0]).Select(i => flat.AsSpan(i * width, width).ToArray()).ToArray();
    }

    private sealed class DecodedRow
    {
        public float[] LatentFeatures { get; set; } = [];
        public float[] Features { get; set; } = [];
    }
}
