using AnomalyAE.Runtime;

namespace AnomalyAE.Transforms;

/// <summary>What a transformer hands to the views, cursors and mappers it creates.</summary>
internal sealed record ScoringStage(ScoringModel Model, OutputColumns Outputs, string FeatureColumnName, float Threshold);
