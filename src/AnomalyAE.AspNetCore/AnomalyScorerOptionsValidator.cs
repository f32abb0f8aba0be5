using Microsoft.Extensions.Options;

namespace AnomalyAE.AspNetCore;

/// <summary>Checks <see cref="AnomalyScorerOptions"/> when the host starts; each failure names the option, its value and the fix.</summary>
internal sealed class AnomalyScorerOptionsValidator : IValidateOptions<AnomalyScorerOptions>
{
    public ValidateOptionsResult Validate(string? name, AnomalyScorerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelPath))
            failures.Add("AnomalyScorerOptions.ModelPath is empty: set it to a model file saved with mlContext.Autoencoders().Save (or `anomalyae train --out`).");
        if (options.ModelReloadInterval <= TimeSpan.Zero)
            failures.Add($"AnomalyScorerOptions.ModelReloadInterval is {options.ModelReloadInterval}; it must be positive, e.g. 00:00:02.");
        if (options.MaxRowsPerRequest < 1)
            failures.Add($"AnomalyScorerOptions.MaxRowsPerRequest is {options.MaxRowsPerRequest}; it must be at least 1.");
        if (options.MaxRequestBodyBytes < 2)
            failures.Add($"AnomalyScorerOptions.MaxRequestBodyBytes is {options.MaxRequestBodyBytes}; it must be at least 2 (the body '{{}}').");
        // The OnlineSequenceScorerOptions bounds, checked here so that a bad value stops the start-up, not the first sequence model.
        if (options.MaxSeries is < 1 or > 100_000_000)
            failures.Add($"AnomalyScorerOptions.MaxSeries is {options.MaxSeries}; it must be between 1 and 100000000 (series whose windows one instance keeps), e.g. 100000.");
        if (options.IdleSeriesTimeout is { } idle && idle <= TimeSpan.Zero)
            failures.Add($"AnomalyScorerOptions.IdleSeriesTimeout is {idle}; it must be positive, e.g. 01:00:00, or unset to keep idle series until MaxSeries pushes them out.");
        if (options.MaxGap is { } gap && !(gap > 0 && double.IsFinite(gap)))
            failures.Add($"AnomalyScorerOptions.MaxGap is {gap}; it must be a positive finite number of order-column units, or unset for no limit.");
        if (!string.IsNullOrWhiteSpace(options.ModelSigningKey))
        {
            try { ModelSigningKey.FromBase64(options.ModelSigningKey); }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                failures.Add($"AnomalyScorerOptions.ModelSigningKey is not a usable key: {e.Message}");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
