namespace AnomalyAE.Training;

/// <summary>
/// A mergeable quantile sketch of a stream of scores (KLL: Karnin, Lang and Liberty, "Optimal Quantile Approximation in
/// Streams", FOCS 2016), so the threshold of streamed training needs memory of the order of <c>k</c>, not of the rows.
/// </summary>
/// <remarks>
/// <para>Level h holds items that each stand for 2^h scores. When the sketch is full, the lowest level over its
/// capacity is sorted and every other item (from a seeded random offset) moves up one level with twice the weight.
/// Level capacities shrink geometrically (factor 2/3) below the top level, so the sketch holds about 3·k items.</para>
/// <para>Rank error: the KLL bound is O(1/k) (DataSketches measures about 2.3/k^0.97 at 99% confidence for one rank). With
/// the default k = 4096 a quantile read from the sketch ranks within ±0.05% of the one asked for (checked by
/// <c>QuantileSketchTests</c> on 10^6 heavy-tailed scores at levels 0.01 to 0.999): at Contamination 0.01 the threshold
/// flags between 0.95% and 1.05% of the training rows. Fewer than k scores are kept whole, so small data gets the exact
/// quantiles. The offsets come from a seeded generator, so the same scores in the same order give the same sketch.</para>
/// </remarks>
internal sealed class QuantileSketch
{
    /// <summary>Default accuracy parameter: about 0.05% rank error in ~50 KB.</summary>
    public const int DefaultK = 4096;

    private readonly int _k;
    private readonly Random _random;
    private readonly List<List<float>> _levels = [[]];
    private int[] _capacities = [];
    private int _capacity, _retained;

    public QuantileSketch(int k = DefaultK, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 8);
        _k = k;
        _random = new Random(seed);
        UpdateCapacities();
    }

    public long Count { get; private set; }

    /// <summary>The largest score added (compaction may drop it from the retained items).</summary>
    public float Max { get; private set; } = float.NegativeInfinity;

    /// <summary>Items held (each standing for one or more scores).</summary>
    public int Retained => _retained;

    public void Add(float value)
    {
        _levels[0].Add(value);
        if (value > Max) Max = value;
        _retained++;
        Count++;
        if (_retained >= _capacity) Compress();
    }

    public void Add(ReadOnlySpan<float> values)
    {
        foreach (float value in values) Add(value);
    }

    /// <summary>Adds every score <paramref name="other"/> summarized; the result is a sketch of both streams.</summary>
    public void Merge(QuantileSketch other)
    {
        for (int h = 0; h < other._levels.Count; h++)
        {
            while (_levels.Count <= h) _levels.Add([]);
            _levels[h].AddRange(other._levels[h]);
        }
        Count += other.Count;
        Max = Math.Max(Max, other.Max);
        _retained += other._retained;
        UpdateCapacities();
        while (_retained >= _capacity) Compress();
    }

    /// <summary>The sketch's items with their weights, to read quantiles from.</summary>
    public ScoreDistribution ToDistribution()
    {
        var values = new float[_retained];
        var weights = new long[_retained];
        int i = 0;
        for (int h = 0; h < _levels.Count; h++)
            foreach (float value in _levels[h])
            {
                values[i] = value;
                weights[i++] = 1L << h;
            }
        return ScoreDistribution.Weighted(values, weights, Max);
    }

    private void Compress()
    {
        for (int h = 0; h < _levels.Count; h++)
        {
            var items = _levels[h];
            if (items.Count < _capacities[h]) continue;
            if (h + 1 == _levels.Count)
            {
                _levels.Add([]);
                UpdateCapacities();
            }
            items.Sort();
            // An odd item out stays at this level, so the total weight is preserved exactly.
            int paired = items.Count & ~1;
            var promoted = _levels[h + 1];
            for (int i = _random.Next(2); i < paired; i += 2) promoted.Add(items[i]);
            float? odd = paired < items.Count ? items[^1] : null;
            _retained -= items.Count - (paired / 2) - (odd is null ? 0 : 1);
            items.Clear();
            if (odd is float kept) items.Add(kept);
            return;
        }
    }

    private void UpdateCapacities()
    {
        int top = _levels.Count - 1;
        _capacities = [.. Enumerable.Range(0, _levels.Count).Select(h => Math.Max(2, (int)Math.Ceiling(_k * Math.Pow(2.0 / 3, top - h))))];
        _capacity = _capacities.Sum();
    }
}
