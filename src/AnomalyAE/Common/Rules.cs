using System.Globalization;

namespace AnomalyAE;

/// <summary>
/// The checks behind every option and every value read from a model file: ranges, enumeration values, cross-rules and
/// column names. One rule set serves two callers. An option set in code breaks a rule with an
/// <see cref="ArgumentException"/> naming the option. A model file breaks it with an <see cref="InvalidDataException"/>
/// naming the file and the stage, because a file is untrusted input. A network kind states its rules once, in
/// <see cref="Networks.NetworkSpec.Validate"/>, and both callers run them.
/// </summary>
public sealed class Rules
{
    /// <summary>Widest layer (features, hidden units, latent units) an option or a file may ask for.</summary>
    public const int MaxWidth = 1 << 16;

    /// <summary>Most libtorch threads an option or a file may ask for.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Largest batch, for training or scoring.</summary>
    public const int MaxBatchSize = 1 << 20;

    /// <summary>Longest output or feature column name.</summary>
    public const int MaxColumnNameLength = 1024;

    private readonly string? _where;

    private Rules(string? where) => _where = where;

    /// <summary>Rules that report with <see cref="ArgumentException"/>s naming the option: for options set in code.</summary>
    public static Rules ForOptions { get; } = new(null);

    /// <summary>Rules that report with <see cref="InvalidDataException"/>s prefixed by <paramref name="where"/> (the file and stage).</summary>
    public static Rules ForFile(string where) => new(where);

    /// <summary>The same rules, reported as about a part of the current subject, e.g. "(ensemble member)".</summary>
    public Rules About(string part) => _where is null ? this : new($"{_where} {part}");

    /// <summary><paramref name="value"/> lies in the interval; NaN and infinities never do.</summary>
    public void Range(string name, double value, double min, double max, bool lowerInclusive = true, bool upperInclusive = true)
    {
        bool ok = double.IsFinite(value)
            && (lowerInclusive ? value >= min : value > min)
            && (upperInclusive ? value <= max : value < max);
        if (!ok)
            throw Broken(name, value, $"{name} must be in {(lowerInclusive ? "[" : "(")}{Text(min)}, {Text(max)}{(upperInclusive ? "]" : ")")}; got {Text(value)}.");
    }

    /// <summary><paramref name="value"/> is one of the enumeration's named values.</summary>
    public void Defined<TEnum>(string name, TEnum value) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            throw Broken(name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}; got {value}.");
    }

    /// <summary>A cross-rule: <paramref name="holds"/>, or the failure is reported against <paramref name="name"/> with <paramref name="message"/> (which says the fix).</summary>
    public void Require(bool holds, string name, string message)
    {
        if (!holds) throw Broken(name, null, message);
    }

    /// <summary>A finite number.</summary>
    public void Finite(string name, double value)
    {
        if (!double.IsFinite(value)) throw Broken(name, value, $"{name} must be a finite number; got {Text(value)}.");
    }

    /// <summary>A column name: not blank, at most <see cref="MaxColumnNameLength"/> characters, no control characters.</summary>
    public void ColumnName(string name, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxColumnNameLength || value.Any(char.IsControl))
            throw Broken(name, value, $"{name} must be a non-blank column name of at most {MaxColumnNameLength} characters without control characters; got '{value}'.");
    }

    /// <summary>No two outputs share a name.</summary>
    public void Distinct(IEnumerable<string> names)
    {
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw Broken("output column names", duplicate.Key, $"Output column name '{duplicate.Key}' is used for more than one output (two output columns cannot share a name); give each output its own name (or null to not emit it).");
    }

    private Exception Broken(string name, object? value, string message) => _where is null
        ? value is null ? new ArgumentException(message, name) : new ArgumentOutOfRangeException(name, value, message)
        : new InvalidDataException($"{_where}: {message}");

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
