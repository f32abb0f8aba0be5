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
