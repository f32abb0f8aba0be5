using AnomalyAE.Runtime;
using AnomalyAE.Training;
using Microsoft.ML;

namespace AnomalyAE.Transforms;

/// <summary>
/// A fitted or loaded stage: the trained model and what turns its scores into columns (output columns, feature column,
/// threshold, calibration). Transformers hold one; the views, cursors and mappers they create read it.
/// </summary>
internal sealed record ScoringStage(ScoringModel Model, OutputColumns Outputs, string FeatureColumnName, float Threshold, ScoreCalibration? Calibration)
{
    /// <summary>The input's columns followed by ours, sized by the model.</summary>
    public DataViewSchema BuildSchema(DataViewSchema input, DataViewSchema.Column features) =>
        Outputs.BuildSchema(input, features, Model.InputDimension, Model.LatentDimension);

    /// <summary>The same stage with another threshold (the model is shared: the caller holds a reference for it).</summary>
    public ScoringStage WithThreshold(float threshold) => this with { Threshold = threshold };
}
