using AnomalyAE.Runtime;
using AnomalyAE.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Transforms;

/// <summary>What a transformer hands to the views, cursors and mappers it creates.</summary>
internal sealed record ScoringStage(ScoringModel Model, OutputColumns Outputs, string FeatureColumnName, float Threshold, ScoreCalibration? Calibration)
{
    /// <summary>The input's columns followed by ours, sized by the model.</summary>
    public DataViewSchema BuildSchema(DataViewSchema input, DataViewSchema.Column features) =>
        Outputs.BuildSchema(input, features, Model.InputDimension, Model.LatentDimension);

    /// <summary>The type of our column of <paramref name="kind"/>.</summary>
    public DataViewType TypeOf(OutputKind kind) => OutputColumns.TypeOf(kind, Model.InputDimension, Model.LatentDimension);
}
