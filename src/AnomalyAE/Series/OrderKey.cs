using System.Globalization;

namespace AnomalyAE.Series;

/// <summary>
/// A value of an order column, comparable with the other values of the same column: integers and the ticks of dates and
/// times (<see cref="Integer"/>; <see cref="IsTime"/> for ticks), floating-point numbers (<see cref="Real"/>) or text by
/// ordinal (<see cref="Text"/>).
/// </summary>
internal readonly record struct OrderKey(long Integer, double Real, string? Text, bool IsTime = false) : IComparable<OrderKey>
{
    public int CompareTo(OrderKey other) => Text is not null || other.Text is not null
        ? string.CompareOrdinal(Text, other.Text)
        : Integer != other.Integer ? Integer.CompareTo(other.Integer) : Real.CompareTo(other.Real);

    public override string ToString() =>
        Text is not null ? $"'{Text}'"
        : IsTime ? new DateTime(Integer, DateTimeKind.Unspecified).ToString("o", CultureInfo.InvariantCulture)
        : Real != 0 ? Real.ToString("R", CultureInfo.InvariantCulture)
        : Integer.ToString(CultureInfo.InvariantCulture);
}
