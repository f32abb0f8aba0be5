using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnomalyAE.Networks;

/// <summary>
/// Spec of an ensemble of <see cref="Size"/> networks of one kind (<see cref="Member"/>, any registered kind), each trained
/// on its own random subsample of the rows. The shared architecture fields repeat the member's.
/// </summary>
[NetworkKind("autoencoder-ensemble")]
public sealed record AutoencoderEnsembleSpec : NetworkSpec
{
    /// <summary>Most members an ensemble may have.</summary>
    public const int MaxSize = 256;

    /// <summary>The members' spec.</summary>
    [JsonConverter(typeof(MemberConverter))]
    public required NetworkSpec Member { get; init; }

    /// <summary>Number of members (<see cref="AutoencoderOptionsBase.EnsembleSize"/>).</summary>
    public required int Size { get; init; }

    /// <inheritdoc />
    public override AutoencoderNetwork CreateNetwork(int seed) => new AutoencoderEnsemble(this, seed);

    /// <inheritdoc />
    public override bool NeedsUnitInterval => Member.NeedsUnitInterval;

    /// <summary>False: the score averages the members' standardized scores.</summary>
    public override bool ScoreIsMeanSquaredError => false;

    /// <inheritdoc />
    public override void Validate(Rules rules)
    {
        base.Validate(rules);
        rules.Range("EnsembleSize", Size, 1, MaxSize);
        rules.Require(Member is not null, nameof(Member), "The ensemble has no member spec.");
        Member!.Validate(rules.About("(ensemble member)"));
        rules.Require(Member.InputDimension == InputDimension && Member.LatentDimension == LatentDimension && Member.HiddenLayers.SequenceEqual(HiddenLayers)
            && Member.Activation == Activation && Member.OutputActivation == OutputActivation && Member.DropoutRate == DropoutRate
            && Member.BatchNormalization == BatchNormalization && Member.Loss == Loss, nameof(Member), "The ensemble's architecture differs from its member's.");
    }

    /// <summary>Every member's weights, plus a median and an IQR per member.</summary>
    public override (double Min, double Max) WeightValues()
    {
        var (min, max) = Member.WeightValues();
        return (Size * min + 2.0 * Size, Size * max + 2.0 * Size + 16 * 4);
    }

    /// <inheritdoc />
    public override long PassValuesPerRow() => Size * Member.PassValuesPerRow() + 1;

    /// <summary>
    /// The member spec with its kind's name. Files saved before members could be of any kind hold a dense autoencoder's
    /// spec without the name: read as one.
    /// </summary>
    private sealed class MemberConverter : JsonConverter<NetworkSpec>
    {
        public override NetworkSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var member = JsonDocument.ParseValue(ref reader);
            return member.RootElement.ValueKind == JsonValueKind.Object && !member.RootElement.TryGetProperty("network", out _)
                ? member.RootElement.Deserialize<AutoencoderSpec>(options)
                : member.RootElement.Deserialize<NetworkSpec>(options);
        }

        public override void Write(Utf8JsonWriter writer, NetworkSpec value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, options);
    }
}
