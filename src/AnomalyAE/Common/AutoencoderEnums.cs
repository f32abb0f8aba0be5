namespace AnomalyAE;

/// <summary>Non-linearity applied after a dense layer.</summary>
public enum AutoencoderActivation
{
    /// <summary>No non-linearity: the layer stays affine.</summary>
    Identity,
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>max(0.01·x, x).</summary>
    LeakyReLU,
    /// <summary>Hyperbolic tangent, output in (−1, 1).</summary>
    Tanh,
    /// <summary>Logistic sigmoid, output in (0, 1).</summary>
    Sigmoid,
    /// <summary>Exponential linear unit.</summary>
    ELU,
    /// <summary>Gaussian error linear unit.</summary>
    GELU,
}

/// <summary>The reconstruction term minimized during training.</summary>
public enum ReconstructionLoss
{
    /// <summary>Mean squared error; suits standardized or min-max normalized features.</summary>
    MeanSquaredError,
    /// <summary>Binary cross-entropy; needs features in [0, 1] and <see cref="AutoencoderActivation.Sigmoid"/> output (e.g. pixel intensities).</summary>
    BinaryCrossEntropy,
}

/// <summary>Gradient-based optimizer used for training.</summary>
public enum AutoencoderOptimizer
{
    /// <summary>Adam with L2 penalty given by <see cref="AutoencoderOptionsBase.WeightDecay"/>.</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay.</summary>
    AdamW,
    /// <summary>Stochastic gradient descent with momentum 0.9.</summary>
    Sgd,
}
