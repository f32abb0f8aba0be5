using System.Security.Cryptography;
using AnomalyAE.Persistence;

namespace AnomalyAE;

/// <summary>
/// A secret shared by whoever saves models and whoever loads them (HMAC-SHA256, at least 32 bytes). A model saved with a
/// key carries a signature over its manifest, which pins every part of the file by SHA-256; loading with the key rejects
/// unsigned files and files signed with another key or changed after signing. Checksums alone detect damage; only a
/// signature detects a deliberate edit, because anyone can recompute a checksum.
/// </summary>
/// <example><code>
/// var key = ModelSigningKey.FromBase64(Environment.GetEnvironmentVariable("ANOMALYAE_MODEL_SIGNING_KEY")!);
/// ml.Autoencoders().Save(model, data.Schema, "model.aeml", key);
/// var loaded = ml.Autoencoders().Load("model.aeml", key, out var schema);   // InvalidDataException unless signed with key
/// </code></example>
public sealed class ModelSigningKey
{
    /// <summary>Shortest secret accepted, in bytes.</summary>
    public const int MinimumLength = 32;

    /// <summary>Longest secret accepted, in bytes.</summary>
    public const int MaximumLength = 1024;

    private static readonly byte[] SignatureDomain = "AnomalyAE.Model.Signature\n"u8.ToArray();
    private static readonly byte[] KeyIdDomain = "AnomalyAE.ModelSigningKey.Id\n"u8.ToArray();
    private readonly byte[] _secret;

    /// <summary>A key from its secret bytes (copied).</summary>
    /// <exception cref="ArgumentException">The secret is shorter than <see cref="MinimumLength"/> or longer than <see cref="MaximumLength"/> bytes.</exception>
    public ModelSigningKey(ReadOnlySpan<byte> secret)
    {
        if (secret.Length is < MinimumLength or > MaximumLength)
            throw new ArgumentException($"A model signing key must have {MinimumLength} to {MaximumLength} bytes; got {secret.Length}. Make one with ModelSigningKey.Generate().ToBase64().", nameof(secret));
        _secret = secret.ToArray();
        KeyId = Convert.ToHexStringLower(SHA256.HashData([.. KeyIdDomain, .. _secret]))[..16];
    }

    /// <summary>A new random key (32 bytes).</summary>
    public static ModelSigningKey Generate() => new(RandomNumberGenerator.GetBytes(MinimumLength));

    /// <summary>A key from its base64 text (as kept in configuration or an environment variable).</summary>
    /// <exception cref="ArgumentException">The text is not base64, or decodes to fewer than <see cref="MinimumLength"/> bytes. The message never repeats the text.</exception>
    public static ModelSigningKey FromBase64(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new ArgumentException("The model signing key is not valid base64 text. Make one with ModelSigningKey.Generate().ToBase64() (or `openssl rand -base64 32`).", nameof(base64));
        }
        return new ModelSigningKey(secret);
    }

    /// <summary>The secret as base64 text.</summary>
    public string ToBase64() => Convert.ToBase64String(_secret);

    /// <summary>A short public identifier of the key (derived from it, not revealing it), recorded next to signatures.</summary>
    public string KeyId { get; }

    /// <summary>Names the key by its identifier only.</summary>
    public override string ToString() => $"ModelSigningKey {KeyId}";

    internal ModelSignature Sign(ReadOnlySpan<byte> manifest) =>
        new(ModelSeal.HmacSha256, KeyId, Convert.ToBase64String(Mac(manifest)));

    internal bool Verifies(ReadOnlySpan<byte> manifest, ModelSignature signature)
    {
        if (signature.Algorithm != ModelSeal.HmacSha256) return false;
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(signature.Value, given, out int written) || written != given.Length) return false;
        return CryptographicOperations.FixedTimeEquals(Mac(manifest), given);
    }

    private byte[] Mac(ReadOnlySpan<byte> manifest)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _secret);
        hmac.AppendData(SignatureDomain);
        hmac.AppendData(manifest);
        return hmac.GetHashAndReset();
    }
}
