using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace AnomalyAE.Series;

/// <summary>
/// Reads a row's series and numbers the series in the order they first appear (0, 1, …), keeping each one's name for
/// messages. Without a series column every row is series 0. Text values are looked up without allocating.
/// </summary>
internal sealed class SeriesKeys
{
    /// <summary>The name of the only series of data without a series column.</summary>
    public const string OneSeries = "(the one series)";

    private readonly Dictionary<string, int> _texts = new(StringComparer.Ordinal);
    private readonly Dictionary<double, int> _numbers = [];
    private readonly List<string> _names = [];

    /// <summary>True for the column types a series column may have.</summary>
    public static bool Supports(DataViewType type) =>
        type is TextDataViewType or KeyDataViewType || type == NumberDataViewType.Single || type == NumberDataViewType.Double
        || type == NumberDataViewType.Int32 || type == NumberDataViewType.Int64 || type == NumberDataViewType.UInt32;

    /// <summary>Series so far.</summary>
    public int Count => Math.Max(1, _names.Count);

    /// <summary>The name of series <paramref name="index"/> in messages.</summary>
    public string Name(int index) => _names.Count == 0 ? OneSeries : $"'{_names[index]}'";

    /// <summary>The value of series <paramref name="index"/> as text (numbers round-trip); empty without a series column.</summary>
    public string Value(int index) => _names.Count == 0 ? "" : _names[index];

    /// <summary>A reader of <paramref name="row"/>'s series index; without a column, always 0.</summary>
    public Func<int> Reader(DataViewRow row, DataViewSchema.Column? column)
    {
        if (column is not { } c) return () => 0;
        if (c.Type is TextDataViewType)
        {
            var getter = row.GetGetter<ReadOnlyMemory<char>>(c);
            var lookup = _texts.GetAlternateLookup<ReadOnlySpan<char>>();
            ReadOnlyMemory<char> value = default;
            return () =>
            {
                getter(ref value);
                if (lookup.TryGetValue(value.Span, out int index)) return index;
                string name = value.ToString();
                _texts[name] = _names.Count;
                _names.Add(name);
                return _names.Count - 1;
            };
        }
        var number = NumberReader(row, c);
        return () =>
        {
            double value = number();
            if (_numbers.TryGetValue(value, out int index)) return index;
            _numbers[value] = _names.Count;
            _names.Add(value.ToString("R", CultureInfo.InvariantCulture));
            return _names.Count - 1;
        };
    }

    private static Func<double> NumberReader(DataViewRow row, DataViewSchema.Column column)
    {
        var type = column.Type is KeyDataViewType key ? key.RawType : column.Type.RawType;
        if (type == typeof(float)) { var g = row.GetGetter<float>(column); float v = 0; return () => { g(ref v); return v; }; }
        if (type == typeof(double)) { var g = row.GetGetter<double>(column); double v = 0; return () => { g(ref v); return v; }; }
        if (type == typeof(int)) { var g = row.GetGetter<int>(column); int v = 0; return () => { g(ref v); return v; }; }
        if (type == typeof(long)) { var g = row.GetGetter<long>(column); long v = 0; return () => { g(ref v); return v; }; }
        if (type == typeof(uint)) { var g = row.GetGetter<uint>(column); uint v = 0; return () => { g(ref v); return v; }; }
        if (type == typeof(ulong)) { var g = row.GetGetter<ulong>(column); ulong v = 0; return () => { g(ref v); return v; }; }
        if (type == typeof(ushort)) { var g = row.GetGetter<ushort>(column); ushort v = 0; return () => { g(ref v); return v; }; }
        if (type == typeof(byte)) { var g = row.GetGetter<byte>(column); byte v = 0; return () => { g(ref v); return v; }; }
        throw new ArgumentOutOfRangeException(nameof(column), $"Series column '{column.Name}' is {column.Type}; a series column is Text, or an integer, floating-point or key type.");
    }
}
