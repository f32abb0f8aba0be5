namespace AnomalyAE.NativeLoading;

/// <summary>The kinds of <c>dlopen</c> failure a load failure message tells apart.</summary>
internal enum LoaderErrorKind { MissingVersion, MissingFile, WrongFormat, UndefinedSymbol, Other }

/// <summary>
/// A dynamic loader (glibc <c>dlerror</c>) message taken apart: which library, which missing symbol version or file.
/// .NET puts that text at the end of its <see cref="DllNotFoundException"/> message; <see cref="Parse"/> accepts both.
/// </summary>
internal sealed record LoaderError(LoaderErrorKind Kind, string Text, string? Library = null, string? Version = null, string? RequiredBy = null)
{
    // .NET's DllNotFoundException text ends with "... consider setting the LD_DEBUG environment variable: <dlerror>".
    private const string DotNetPreamble = "LD_DEBUG environment variable:";

    /// <summary>The loader's own words inside a .NET <see cref="DllNotFoundException"/> message (the whole text when there is no preamble).</summary>
    public static string LoaderText(string message)
    {
        int at = message.IndexOf(DotNetPreamble, StringComparison.Ordinal);
        return (at < 0 ? message : message[(at + DotNetPreamble.Length)..]).Trim();
    }

    public static LoaderError Parse(string message)
    {
        string text = LoaderText(message);

        // "<lib>: version `GLIBCXX_3.4.32' not found (required by <object>)"
        int version = text.IndexOf(": version `", StringComparison.Ordinal);
        if (version > 0)
        {
            int nameStart = version + ": version `".Length;
            int nameEnd = text.IndexOf('\'', nameStart);
            int by = text.IndexOf("(required by ", StringComparison.Ordinal);
            if (nameEnd > nameStart && text.IndexOf("not found", nameEnd, StringComparison.Ordinal) > 0)
                return new(LoaderErrorKind.MissingVersion, text, Library: text[..version].Trim(), Version: text[nameStart..nameEnd],
                           RequiredBy: by < 0 ? null : text[(by + "(required by ".Length)..].TrimEnd(')', ' ', '\n'));
        }

        string subject = Subject(text);
        if (text.Contains("undefined symbol:", StringComparison.Ordinal) || text.Contains("with link time reference", StringComparison.Ordinal))
            return new(LoaderErrorKind.UndefinedSymbol, text, Library: subject);
        if (text.Contains("wrong ELF class", StringComparison.Ordinal) || text.Contains("invalid ELF header", StringComparison.Ordinal)
            || text.Contains("file too short", StringComparison.Ordinal) || text.Contains("ELF file", StringComparison.Ordinal)
            || text.Contains("Exec format error", StringComparison.Ordinal))
            return new(LoaderErrorKind.WrongFormat, text, Library: subject);
        if (text.Contains("cannot open shared object file", StringComparison.Ordinal))
            // A path that exists but "cannot be opened" was rejected, not missing (e.g. another machine's library, no read permission).
            return Path.IsPathRooted(subject) && File.Exists(subject)
                ? new(LoaderErrorKind.WrongFormat, text, Library: subject)
                : new(LoaderErrorKind.MissingFile, text, Library: subject);
        return new(LoaderErrorKind.Other, text, Library: subject.Length == 0 ? null : subject);
    }

    /// <summary>The library a glibc message is about: the text before its first ": ".</summary>
    private static string Subject(string text)
    {
        int colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? "" : text[..colon].Trim();
    }
}
