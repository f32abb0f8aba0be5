// Usage: ModelLoadProbe MODEL INPUT OUTPUT
//   INPUT: one row per line, comma-separated floats (the model's feature column);
//   OUTPUT: per row, "score latent..." with every float written as its exact bit pattern (hex).
using System.Globalization;
using AnomalyAE;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext(seed: 0);
using var model = (IDisposable)ml.Autoencoders().Load(args[0], out var inputSchema);
var rows = File.ReadAllLines(args[1]).Select(l => new Row { Features = l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() }).ToArray();
int size = ((VectorDataViewType)inputSchema["Features"].Type).Size;
var definition = SchemaDefinition.Create(typeof(Row));
definition["Features"].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
var scored = ((ITransformer)model).Transform(ml.Data.LoadFromEnumerable(rows, definition));

var scoreColumn = scored.Schema["Score"];
var latentColumn = scored.Schema["LatentFeatures"];
using var cursor = scored.GetRowCursor([scoreColumn, latentColumn]);
var score = cursor.GetGetter<float>(scoreColumn);
var latent = cursor.GetGetter<VBuffer<float>>(latentColumn);
using var output = new StreamWriter(args[2]);
float s = 0;
VBuffer<float> z = default;
while (cursor.MoveNext())
{
    score(ref s);
    latent(ref z);
    output.WriteLine(string.Join(' ', new[] { s }.Concat(z.DenseValues()).Select(v => BitConverter.SingleToInt32Bits(v).ToString("x8"))));
}

internal sealed class Row
{
    public float[] Features { get; set; } = [];
}
