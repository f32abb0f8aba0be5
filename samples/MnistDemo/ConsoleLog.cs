using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace AnomalyAE.Samples;

/// <summary>Shows the autoencoder estimators' own messages from MLContext.Log (per-epoch losses, threshold), not ML.NET's internals.</summary>
internal static class ConsoleLog
{
    public static void OnlyAutoencoderEpochs(object? sender, LoggingEventArgs e)
    {
        if (e.Kind is not (ChannelMessageKind.Info or ChannelMessageKind.Warning)) return;
        if (!e.Source.Contains("AutoencoderEstimator", StringComparison.Ordinal)) return;
        Console.WriteLine($"    {e.RawMessage}");
    }
}
