using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace AnomalyAE.Tests;

/// <summary>
/// Seeded mutants of a small autoencoder, ensemble and VAE file: bit flips, truncation, manifest edits, entry swaps, extra
/// and missing entries, huge entries. Damage (nothing recomputed) must load and score exactly like the original or fail with
/// InvalidDataException; forgeries (checksums and seal recomputed) must fail with InvalidDataException or load and score
/// without any other exception, and with a key, never load. Nothing may crash the process or allocate much.
/// </summary>
public sealed class ModelFuzzTests(SmallModels models, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<SmallModels>
{
    private const long MaxAllocatedPerMutant = 256L << 20;

    [Theory]
    [InlineData("ae", 11)]
    [InlineData("ensemble", 12)]
    [InlineData("vae", 13)]
    public void DamagedFilesLoadIntactOrFailWithInvalidDataException(string kind, int seed)
    {
        var (original, expected) = models.Models[kind];
        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>();
        var watch = Stopwatch.StartNew();
        foreach (var (what, mutant) in Damaged(original, random))
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            string outcome;
            try
            {
                var scores = models.LoadAndScore(mutant);
                Assert.True(expected.SequenceEqual(scores), $"{kind}: mutant '{what}' loaded and scored differently");
                outcome = "intact";
            }
            catch (InvalidDataException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                outcome = "rejected";
            }
            catch (Exception e)
            {
                Assert.Fail($"{kind}: mutant '{what}' failed with {e.GetType().Name}, not InvalidDataException: {e.Message}");
                throw;
            }
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated < MaxAllocatedPerMutant, $"{kind}: mutant '{what}' allocated {allocated:N0} bytes");
            string key = $"{what.Split(':')[0]} {outcome}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
        output.WriteLine($"{kind}: {string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(outcomes.Where(o => o.Key.EndsWith("rejected")).Sum(o => o.Value) > 100, string.Join(", ", outcomes));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(40), $"{kind}: {watch.Elapsed}");
    }

    [Theory]
    [InlineData("ae", 21)]
    [InlineData("ensemble", 22)]
    [InlineData("vae", 23)]
    public void ForgedFilesAreValidatedAndNeverPassASignatureCheck(string kind, int seed)
    {
        var (original, _) = models.Models[kind];
        var random = new Random(seed);
        int loaded = 0, rejected = 0;
        for (int i = 0; i < 200; i++)
        {
            var entries = ModelFileEditor.Entries(original);
            int index = entries.FindIndex(e => e.Name == ModelFileEditor.Manifest);
            var manifest = JsonNode.Parse(entries[index].Bytes)!;
            string what = MutateLeaf(manifest, random);
            entries[index] = (ModelFileEditor.Manifest, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            var forged = ModelFileEditor.Build(ModelFileEditor.Rechecksummed(entries));
            long before = GC.GetTotalAllocatedBytes(precise: true);
            try
            {
                var model = models.Ml.Autoencoders().Load(new MemoryStream(forged), out _);
                try
                {
                    ReadEveryColumn(model.Transform(models.Data));
                }
                finally
                {
                    (model as IDisposable)?.Dispose();
                }
                loaded++;
            }
            catch (InvalidDataException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"{kind}: forgery '{what}' failed with {e.GetType().Name}, not InvalidDataException: {e.Message}");
            }
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated < MaxAllocatedPerMutant, $"{kind}: forgery '{what}' allocated {allocated:N0} bytes");
            Assert.Throws<InvalidDataException>(() => models.LoadAndScore(forged, models.Key));
        }
        output.WriteLine($"{kind}: {rejected} forgeries rejected, {loaded} loaded (and every one rejected with the key)");
        Assert.True(rejected > 50, $"{kind}: {rejected} forgeries rejected, {loaded} loaded");
    }

    /// <summary>Scores every row and reads every column, whatever the forged manifest named them.</summary>
    private static void ReadEveryColumn(Microsoft.ML.IDataView data)
    {
        using var cursor = data.GetRowCursor(data.Schema);
        var getters = data.Schema.Select<Microsoft.ML.DataViewSchema.Column, Action>(c => c.Type switch
        {
            Microsoft.ML.Data.NumberDataViewType n when n.RawType == typeof(float) => Read(cursor.GetGetter<float>(c)),
            Microsoft.ML.Data.BooleanDataViewType => Read(cursor.GetGetter<bool>(c)),
            Microsoft.ML.Data.VectorDataViewType v when v.ItemType.RawType == typeof(float) => Read(cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(c)),
            _ => () => { },
        }).ToList();
        while (cursor.MoveNext()) foreach (var get in getters) get();
    }

    private static Action Read<T>(Microsoft.ML.ValueGetter<T> getter) => () =>
    {
        T value = default!;
        getter(ref value);
    };

    private static IEnumerable<(string What, byte[] File)> Damaged(byte[] original, Random random)
    {
        for (int i = 0; i < 300; i++)
        {
            var bad = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            var at = new List<int>();
            for (int f = 0; f < flips; f++)
            {
                int position = random.Next(bad.Length);
                bad[position] ^= (byte)(1 << random.Next(8));
                at.Add(position);
            }
            yield return ($"flip:{string.Join('/', at)}", bad);
        }
        for (int i = 0; i < 60; i++)
        {
            int length = random.Next(original.Length);
            yield return ($"truncate:{length}", original[..length]);
        }
        for (int i = 0; i < 100; i++)
        {
            var entries = ModelFileEditor.Entries(original);
            int index = entries.FindIndex(e => e.Name == ModelFileEditor.Manifest);
            var manifest = JsonNode.Parse(entries[index].Bytes)!;
            string what = MutateLeaf(manifest, random);
            entries[index] = (ModelFileEditor.Manifest, Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            yield return ($"manifest:{what}", ModelFileEditor.Build(entries));
        }
        var names = ModelFileEditor.Entries(original).Select(e => e.Name).ToList();
        for (int i = 0; i < 20; i++)
        {
            var entries = ModelFileEditor.Entries(original);
            int a = random.Next(entries.Count), b = random.Next(entries.Count);
            if (a == b) b = (a + 1) % entries.Count;
            (entries[a], entries[b]) = ((entries[a].Name, entries[b].Bytes), (entries[b].Name, entries[a].Bytes));
            yield return ($"swap:{entries[a].Name}<>{entries[b].Name}", ModelFileEditor.Build(entries));
        }
        foreach (var name in names)
        {
            var entries = ModelFileEditor.Entries(original);
            yield return ($"remove:{name}", ModelFileEditor.Build(entries.Where(e => e.Name != name)));
            yield return ($"duplicate:{name}", ModelFileEditor.Build([.. entries, entries.Single(e => e.Name == name)]));
            yield return ($"empty:{name}", ModelFileEditor.Build(entries.Select(e => e.Name == name ? (e.Name, Array.Empty<byte>()) : e)));
        }
        yield return ("extra:notes.txt", ModelFileEditor.Build([.. ModelFileEditor.Entries(original), ("notes.txt", "hello"u8.ToArray())]));
        foreach (var name in names.Where(n => n != ModelFileEditor.Seal).Take(3))
        {
            var bomb = ModelFileEditor.WithZeros(original, name, 64L << 20);
            yield return ($"huge:{name}", bomb);
            var lying = (byte[])bomb.Clone();
            ModelFileEditor.PatchDeclaredSize(lying, name, 1000);
            yield return ($"huge-lying:{name}", lying);
        }
    }

    /// <summary>Changes one random leaf of the manifest (a number, string or boolean) the way damage or a forger might.</summary>
    private static string MutateLeaf(JsonNode manifest, Random random)
    {
        var leaves = new List<JsonValue>();
        void Collect(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o: foreach (var (_, child) in o) Collect(child); break;
                case JsonArray a: foreach (var child in a) Collect(child); break;
                case JsonValue v: leaves.Add(v); break;
            }
        }
        Collect(manifest);
        // Prefer the network stage's values: they are what a forger would aim at (the history is most of the leaves).
        var interesting = leaves.Where(l => !l.GetPath().Contains("History")).ToList();
        var leaf = interesting[random.Next(interesting.Count)];
        string path = leaf.GetPath();
        JsonNode replacement = leaf.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.Number => random.Next(8) switch
            {
                0 => -1, 1 => 0, 2 => int.MaxValue, 3 => int.MinValue, 4 => leaf.GetValue<double>() + 1, 5 => leaf.GetValue<double>() * 1000,
                6 => 1e300, _ => 0.5,
            },
            System.Text.Json.JsonValueKind.String => random.Next(4) switch
            {
                0 => "", 1 => Flip(leaf.GetValue<string>(), random), 2 => new string('x', 5000), _ => "MeanAbsoluteError",
            },
            System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => !leaf.GetValue<bool>(),
            _ => 1,
        };
        leaf.ReplaceWith(replacement);
        return $"{path}={replacement.ToJsonString()[..Math.Min(40, replacement.ToJsonString().Length)]}";
    }

    private static string Flip(string value, Random random)
    {
        if (value.Length == 0) return "x";
        var chars = value.ToCharArray();
        int i = random.Next(chars.Length);
        chars[i] = (char)(chars[i] ^ 0x20);
        return new string(chars);
    }
}
