using AnomalyAE.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AnomalyAE.Onnx;

/// <summary>The tensors a network's graph computes for a batch: the ONNX counterpart of <see cref="InferenceOutputs"/>.</summary>
internal sealed record GraphOutputs(string Score, string Latent, string Reconstruction, string? LatentLogVariance, string Contributions);

/// <summary>
/// Writes a network's <see cref="AutoencoderNetwork.Infer"/> as ONNX nodes, operation for operation, with the weights and
/// buffers as initializers: dense autoencoders (every score kind), variational autoencoders (every score kind; the
/// reconstruction probability's fixed ε draws become a constant, so the graph is as deterministic as Infer) and ensembles.
/// Modules are read by the names their classes register (encoder, decoder, mean, …).
/// </summary>
internal sealed class NetworkGraph(OnnxGraphBuilder g)
{
    // The constants of the torch code this graph mirrors.
    private const float BceEpsilon = 1e-7f;               // ReconstructionTerms.Epsilon
    private const float LogVarianceBound = 10;            // VariationalAutoencoder.LogVarianceBound
    private const float LeakyReluSlope = (float)Layers.LeakyReluSlope;

    public GraphOutputs Emit(AutoencoderNetwork network, string input) => network switch
    {
        DenseAutoencoder dense => Dense(dense, (AutoencoderSpec)dense.Spec, input),
        VariationalAutoencoder vae => Variational(vae, (VariationalAutoencoderSpec)vae.Spec, input),
        AutoencoderEnsemble ensemble => Ensemble(ensemble, input),
        _ => throw new NotSupportedException($"ONNX export does not support the network {network.GetType().Name}."),
    };

    private GraphOutputs Dense(DenseAutoencoder network, AutoencoderSpec spec, string x)
    {
        var latent = Sequence(Child<Sequential>(network, "encoder"), x);
        var logits = Sequence(Child<Sequential>(network, "decoder"), latent);
        var elements = spec.ErrorMetric == ReconstructionErrorMetric.StandardizedSquaredError
            ? Square(g.Div(g.Sub(Activation(spec.OutputActivation, logits), x), Const(Buffer(Child<ResidualScale>(network, "residuals"), "scale"))))
            : ElementError(spec.ErrorMetric, logits, x, spec.OutputActivation);
        var error = g.Reduce("ReduceMean", elements, 1);
        var score = spec.ScoreKind == AutoencoderScoreKind.ReconstructionError ? error : NeighborScore(Child<LatentNeighbors>(network, "neighbors"), spec.ScoreKind, error, latent);
        return new GraphOutputs(score, latent, Activation(spec.OutputActivation, logits), null, Shares(elements, spec.InputDimension));
    }

    private GraphOutputs Variational(VariationalAutoencoder network, VariationalAutoencoderSpec spec, string x)
    {
        var hidden = Sequence(Child<Sequential>(network, "encoder"), x);
        var mu = Linear(Child<Linear>(network, "mean"), hidden);
        var logVar = g.Clip(Linear(Child<Linear>(network, "logVariance"), hidden), -LogVarianceBound, LogVarianceBound);
        var decoder = Child<Sequential>(network, "decoder");
        var logits = Sequence(decoder, mu);
        var elements = ElementLoss(spec.Loss, logits, x, spec.OutputActivation);
        var score = spec.ScoreKind switch
        {
            VariationalScoreKind.ReconstructionError => g.Reduce("ReduceMean", elements, 1),
            VariationalScoreKind.NegativeElbo => g.Add(g.Reduce("ReduceSum", elements, 1), KullbackLeibler(mu, logVar)),
            VariationalScoreKind.ReconstructionProbability => MonteCarloReconstructionLoss(network, spec, decoder, x, mu, logVar),
            _ => throw new NotSupportedException($"ONNX export does not support the score kind {spec.ScoreKind}."),
        };
        return new GraphOutputs(score, mu, Activation(spec.OutputActivation, logits), logVar, Shares(elements, spec.InputDimension));
    }

    private GraphOutputs Ensemble(AutoencoderEnsemble ensemble, string x)
    {
        var center = Values(Buffer(ensemble, "score_center"));
        var scale = Values(Buffer(ensemble, "score_scale"));
        string? score = null, reconstruction = null, contributions = null, latent = null;
        for (int i = 0; i < ensemble.Members.Count; i++)
        {
            var member = Emit(ensemble.Members[i], x);
            var standardized = g.Div(g.Sub(member.Score, g.Scalar(center[i])), g.Scalar(scale[i]));
            score = score is null ? standardized : g.Add(score, standardized);
            reconstruction = reconstruction is null ? member.Reconstruction : g.Add(reconstruction, member.Reconstruction);
            contributions = contributions is null ? member.Contributions : g.Add(contributions, member.Contributions);
            latent ??= member.Latent;
        }
        var count = g.Scalar(ensemble.Members.Count);
        return new GraphOutputs(g.Div(score!, count), latent!, g.Div(reconstruction!, count), null, g.Div(contributions!, count));
    }

    // ---- layers ----

    private string Sequence(Sequential sequential, string x)
    {
        foreach (var (name, layer) in sequential.named_children())
        {
            x = layer switch
            {
                Linear linear => Linear(linear, x),
                BatchNormalization norm => g.Node("BatchNormalization", [x, Const(norm.Weight), Const(norm.Bias), Const(norm.RunningMean), Const(norm.RunningVariance)], 1,
                    OnnxGraphBuilder.Float("epsilon", (float)BatchNormalization.Epsilon)),
                SeededDropout => x,   // dropout is the identity at scoring time
                ActivationLayer activation => Activation(activation.Kind, x),
                _ => throw new NotSupportedException($"ONNX export does not support the layer '{name}' ({layer.GetType().Name})."),
            };
        }
        return x;
    }

    private string Linear(Linear linear, string x) => g.Gemm(x, Const(linear.weight!), Const(linear.bias!));

    /// <summary>The activation as a function (<see cref="Layers.Apply"/>).</summary>
    private string Activation(AutoencoderActivation activation, string x) => activation switch
    {
        AutoencoderActivation.Identity => x,
        AutoencoderActivation.ReLU => g.Unary("Relu", x),
        AutoencoderActivation.LeakyReLU => g.Node("LeakyRelu", [x], 1, OnnxGraphBuilder.Float("alpha", LeakyReluSlope)),
        AutoencoderActivation.Tanh => g.Unary("Tanh", x),
        AutoencoderActivation.Sigmoid => g.Unary("Sigmoid", x),
        AutoencoderActivation.ELU => g.Node("Elu", [x], 1, OnnxGraphBuilder.Float("alpha", 1f)),
        AutoencoderActivation.GELU => Gelu(x),
        _ => throw new NotSupportedException($"ONNX export does not support the activation {activation}."),
    };

    // torch's exact GELU, x · Φ(x) = 0.5 · x · (1 + erf(x / √2)); opset 12 has no Gelu operator.
    private string Gelu(string x) =>
        g.Mul(g.Mul(x, g.Scalar(0.5f)), g.Add(g.Scalar(1f), g.Unary("Erf", g.Mul(x, g.Scalar((float)(1 / Math.Sqrt(2)))))));

    // ---- reconstruction terms (ReconstructionTerms) ----

    private string ElementLoss(ReconstructionLoss loss, string logits, string target, AutoencoderActivation outputActivation) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => Square(g.Sub(Activation(outputActivation, logits), target)),
        ReconstructionLoss.BinaryCrossEntropy => BinaryCrossEntropy(logits, target, outputActivation),
        _ => throw new NotSupportedException($"ONNX export does not support the loss {loss}."),
    };

    private string ElementError(ReconstructionErrorMetric metric, string logits, string target, AutoencoderActivation outputActivation) => metric switch
    {
        ReconstructionErrorMetric.MeanSquaredError => Square(g.Sub(Activation(outputActivation, logits), target)),
        ReconstructionErrorMetric.MeanAbsoluteError => g.Unary("Abs", g.Sub(Activation(outputActivation, logits), target)),
        ReconstructionErrorMetric.BinaryCrossEntropy => BinaryCrossEntropy(logits, target, outputActivation),
        _ => throw new NotSupportedException($"ONNX export does not support the error metric {metric}."),
    };

    private string BinaryCrossEntropy(string logits, string target, AutoencoderActivation outputActivation)
    {
        if (outputActivation == AutoencoderActivation.Sigmoid)
        {
            // With logits l: max(l, 0) − l·t + log(1 + exp(−|l|)).
            var softplus = g.Unary("Log", g.Add(g.Scalar(1f), g.Unary("Exp", g.Unary("Neg", g.Unary("Abs", logits)))));
            return g.Add(g.Sub(g.Unary("Relu", logits), g.Mul(logits, target)), softplus);
        }
        var p = g.Clip(Activation(outputActivation, logits), BceEpsilon, 1 - BceEpsilon);
        var one = g.Scalar(1f);
        var positive = g.Mul(target, g.Unary("Log", p));
        var negative = g.Mul(g.Sub(one, target), g.Unary("Log", g.Sub(one, p)));
        return g.Unary("Neg", g.Add(positive, negative));
    }

    /// <summary>Each feature's share of its row's error (<see cref="ReconstructionTerms.Shares"/>).</summary>
    private string Shares(string elements, int inputDimension)
    {
        var nonNegative = g.Unary("Relu", elements);
        var total = g.Reduce("ReduceSum", nonNegative, 1, keepDims: true);
        var positive = g.Node("Greater", [total, g.Scalar(0f)]);
        var safeTotal = g.Node("Where", [positive, total, g.Scalar(1f)]);
        return g.Node("Where", [positive, g.Div(nonNegative, safeTotal), g.Scalar(1f / inputDimension)]);
    }

    private string Square(string x) => g.Mul(x, x);

    // ---- variational terms ----

    // −½ · Σ (1 + log σ² − μ² − σ²)
    private string KullbackLeibler(string mu, string logVar)
    {
        var inner = g.Sub(g.Sub(g.Add(logVar, g.Scalar(1f)), Square(mu)), g.Unary("Exp", logVar));
        return g.Mul(g.Reduce("ReduceSum", inner, 1), g.Scalar(-0.5f));
    }

    // z = μ + σ·ε for the stored draws ε [S, k]: [S, B, k] → decoder → loss summed over features → mean over draws.
    private string MonteCarloReconstructionLoss(VariationalAutoencoder network, VariationalAutoencoderSpec spec, Sequential decoder, string x, string mu, string logVar)
    {
        var noise = Buffer(network, "score_noise");
        long samples = noise.shape[0], k = noise.shape[1];
        var epsilon = g.Constant("score_noise", Values(noise), samples, 1, k);
        var sigma = g.Unary("Exp", g.Mul(logVar, g.Scalar(0.5f)));
        var z = g.Add(g.Unsqueeze(mu, 0), g.Mul(g.Unsqueeze(sigma, 0), epsilon));
        var logits = g.Reshape(Sequence(decoder, g.Reshape(z, -1, k)), samples, -1, spec.InputDimension);
        var loss = g.Reduce("ReduceSum", ElementLoss(spec.Loss, logits, x, spec.OutputActivation), 2);
        return g.Reduce("ReduceMean", loss, 0);
    }

    // ---- latent neighbours (LatentNeighbors) ----

    private string NeighborScore(LatentNeighbors neighbors, AutoencoderScoreKind kind, string error, string latent)
    {
        var distance = Distance(neighbors, latent);
        if (kind == AutoencoderScoreKind.LatentNeighborDistance) return distance;
        var scales = Values(Buffer(neighbors, "score_scales"));
        var standardizedError = g.Div(g.Sub(error, g.Scalar(scales[0])), g.Scalar(scales[1]));
        var standardizedDistance = g.Div(g.Sub(distance, g.Scalar(scales[2])), g.Scalar(scales[3]));
        return g.Max(standardizedError, standardizedDistance);
    }

    // The k-th smallest Euclidean distance to the reference codes, computed directly (no GEMM expansion), as cdist does.
    private string Distance(LatentNeighbors neighbors, string latent)
    {
        var reference = Buffer(neighbors, "reference");
        var standardized = g.Div(g.Sub(latent, Const(Buffer(neighbors, "latent_center"))), Const(Buffer(neighbors, "latent_scale")));
        var difference = g.Sub(g.Unsqueeze(standardized, 1), Const(reference));            // [B, R, k]
        var distances = g.Unary("Sqrt", g.Reduce("ReduceSum", Square(difference), 2));     // [B, R]
        long k = Math.Min(LatentNeighbors.Neighbors, reference.shape[0]);
        var nearest = g.NodeOutputs("TopK", [distances, g.Int64Constant("k", k)], 2,
            OnnxGraphBuilder.Int("axis", 1), OnnxGraphBuilder.Int("largest", 0), OnnxGraphBuilder.Int("sorted", 1))[0];
        var kth = g.Node("Gather", [nearest, g.Int64Constant("kth", k - 1)], 1, OnnxGraphBuilder.Int("axis", 1));   // [B, 1]
        return g.Reshape(kth, -1);
    }

    // ---- weights ----

    private string Const(Tensor tensor) => g.Constant("w", Values(tensor), tensor.shape);

    private static float[] Values(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }

    private static T Child<T>(nn.Module module, string name) where T : nn.Module =>
        module.named_children().FirstOrDefault(c => c.name == name).module as T
        ?? throw new InvalidOperationException($"{module.GetType().Name} has no {typeof(T).Name} named '{name}'.");

    private static Tensor Buffer(nn.Module module, string name) =>
        module.named_buffers(recurse: false).FirstOrDefault(b => b.name == name).buffer
        ?? throw new InvalidOperationException($"{module.GetType().Name} has no buffer named '{name}'.");
}
