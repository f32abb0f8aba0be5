using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Networks;

/// <summary>
/// Several networks of one kind scoring together (Chen, Sathe, Aggarwal and Turaga, "Outlier Detection with Autoencoder
/// Ensembles", SDM 2017). Each member's score is standardized robustly, (score − median) / IQR of its scores on the
/// training rows, and the ensemble's score is the mean of the standardized scores. The reconstruction is the mean of
/// the members' reconstructions; the latent code is the first member's (members' codes are not aligned with each other,
/// so they cannot be averaged). A feature's contribution is the mean of its shares in the members' errors.
/// </summary>
internal sealed class AutoencoderEnsemble : AutoencoderNetwork
{
    private readonly ModuleList<AutoencoderNetwork> members;
    // Per-member median and IQR of the training scores; buffers, so they are saved and verified with the weights.
    private readonly Tensor score_center;
    private readonly Tensor score_scale;

    public AutoencoderEnsemble(AutoencoderEnsembleSpec spec, int seed) : base(nameof(AutoencoderEnsemble), spec, seed)
    {
        members = nn.ModuleList([.. Enumerable.Range(0, spec.Size).Select(i => spec.Member.CreateNetwork(MemberSeed(seed, i)))]);
        score_center = zeros(spec.Size);
        score_scale = ones(spec.Size);
        RegisterComponents();
    }

    public IList<AutoencoderNetwork> Members => members;

    /// <summary>Each member trains on its own rows.</summary>
    public override IReadOnlyList<AutoencoderNetwork> TrainingParts => [.. members];

    /// <summary>The seed of member <paramref name="index"/>: distinct per member, a pure function of the ensemble's seed.</summary>
    public static int MemberSeed(int seed, int index) => unchecked(seed * 1_000_003 + (index + 1) * 7_919) & int.MaxValue;

    /// <summary>Fits each member's own score, then the median and IQR of each member's scores on the training rows.</summary>
    public override void FitScore(Tensor rows, int batchSize, int seed)
    {
        var centers = new float[members.Count];
        var scales = new float[members.Count];
        for (int i = 0; i < members.Count; i++)
        {
            members[i].FitScore(rows, batchSize, MemberSeed(seed, i));
            using var scope = NewDisposeScope();
            (centers[i], scales[i]) = RobustScale.Of(((AutoencoderNetwork)members[i]).InferAllScores(rows, batchSize));
        }
        using var noGrad = no_grad();
        using var center = tensor(centers);
        using var scale = tensor(scales);
        score_center.copy_(center);
        score_scale.copy_(scale);
    }

    public override void PrepareForScoring()
    {
        foreach (var member in members) member.PrepareForScoring();
    }

    /// <summary>The mean of the members' objectives (members are trained one by one, each on its own rows).</summary>
    public override ObjectiveTerms Objective(Tensor batch, int epoch, bool training)
    {
        var terms = members.Select(m => m.Objective(batch, epoch, training)).ToList();
        var rowLoss = stack(terms.Select(t => t.RowLoss)).mean([0]);
        var penalties = terms.Where(t => t.Penalty is not null).Select(t => t.Penalty!).ToList();
        return new ObjectiveTerms(rowLoss, penalties.Count == 0 ? null : stack(penalties).sum().DividedBy(members.Count));
    }

    public override InferenceOutputs Infer(Tensor batch, NetworkOutputs wanted)
    {
        Tensor? scores = null, reconstruction = null, latent = null, contributions = null;
        for (int i = 0; i < members.Count; i++)
        {
            var output = members[i].Infer(batch, wanted);
            var standardized = (output.Scores - score_center[i]) / score_scale[i];
            scores = scores is null ? standardized : scores.Plus(standardized);
            latent ??= output.Latent;
            if (wanted.HasFlag(NetworkOutputs.Reconstruction)) reconstruction = reconstruction is null ? output.Reconstruction : reconstruction.Plus(output.Reconstruction!);
            if (wanted.HasFlag(NetworkOutputs.Contributions)) contributions = contributions is null ? output.Contributions : contributions.Plus(output.Contributions!);
        }
        using var count = members.Count.ToScalar();
        // Contributions: the mean of the members' shares (each member's shares sum to 1, so their mean does too); members
        // weigh equally, as in the score, whatever the scale of their errors.
        return new InferenceOutputs(scores!.div(count), latent, reconstruction?.div(count), null, contributions?.div(count));
    }

    public override OnnxOutputs EmitOnnx(OnnxGraph g, string x)
    {
        var center = OnnxGraph.Values(score_center);
        var scale = OnnxGraph.Values(score_scale);
        string? score = null, reconstruction = null, contributions = null, latent = null;
        for (int i = 0; i < members.Count; i++)
        {
            var member = members[i].EmitOnnx(g, x);
            var standardized = g.Div(g.Sub(member.Score, g.Scalar(center[i])), g.Scalar(scale[i]));
            score = score is null ? standardized : g.Add(score, standardized);
            reconstruction = reconstruction is null ? member.Reconstruction : g.Add(reconstruction, member.Reconstruction);
            contributions = contributions is null ? member.Contributions : g.Add(contributions, member.Contributions);
            latent ??= member.Latent;
        }
        var count = g.Scalar(members.Count);
        return new OnnxOutputs(g.Div(score!, count), latent!, g.Div(reconstruction!, count), null, g.Div(contributions!, count));
    }
}
