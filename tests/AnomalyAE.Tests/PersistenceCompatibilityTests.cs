using System.Text.Json;
using AnomalyAE.DataViews;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Tests;

/// <summary>Model files saved by the previous version load and give the outputs they gave then (Fixtures/v0.2/README.md).</summary>
public sealed class PersistenceCompatibilityTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "v0.2");

    [Theory]
    [InlineData("ensemble")]
    [InlineData("batchnorm-leaky")]
    [InlineData("vae")]
    public void AFileSavedByVersion02LoadsAndScoresAsItDidThen(string name)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json")));
        var rows = expected.RootElement.GetProperty("Rows").Deserialize<float[][]>()!;
        var outputs = expected.RootElement.GetProperty("Models").GetProperty(name);
        var ml = new MLContext(1);
        var model = ml.Autoencoders().Load(Path.Combine(Folder, name + ".aeml"), out var schema);
        try
        {
            var data = new ColumnarDataView.Builder().AddVector("Features", rows[0].Length, rows).Build();
            Assert.Equal(schema["Features"].Type, data.Schema["Features"].Type);
            var scored = model.Transform(data);
            int compared = 0;
            foreach (var output in outputs.EnumerateObject())
            {
                var column = scored.Schema[output.Name];
                if (column.Type == BooleanDataViewType.Instance)
                    Assert.Equal(output.Value.Deserialize<bool[]>()!, scored.GetColumn<bool>(column).ToArray());
                else if (column.Type == NumberDataViewType.Single)
                    Close(output.Name, output.Value.Deserialize<float[]>()!, scored.GetColumn<float>(column).ToArray());
                else
                {
                    var want = output.Value.Deserialize<float[][]>()!;
                    var got = scored.GetColumn<float[]>(column).ToArray();
                    for (int r = 0; r < want.Length; r++) Close($"{output.Name}[{r}]", want[r], got[r]);
                }
                compared++;
            }
            Assert.True(compared >= 5, $"only {compared} columns compared");
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
    }

    private static void Close(string what, float[] want, float[] got)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= 1e-6 + 1e-5 * Math.Abs(want[i]), $"{what}: value {i} is {got[i]}, was {want[i]}");
    }
}
