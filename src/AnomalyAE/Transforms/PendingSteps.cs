namespace AnomalyAE.Transforms;

/// <summary>
/// The results of the rows a sequence cursor has read ahead but not yet passed, by row position: the score of the window
/// ending at each (and its code, reconstructed channels and channel shares when asked for), the sum and count of the scores
/// of the windows covering it, the windows covering it that are read but not yet scored, and whether every window that will
/// cover it has been read. A ring that grows when the read-ahead does.
/// </summary>
internal sealed class PendingSteps(int latentDimension, int channels, bool vectors)
{
    private int _capacity = 1024;
    private long _start;
    private long _end;
    private float[] _own = new float[1024];
    private double[] _sum = new double[1024];
    private int[] _count = new int[1024];
    private int[] _waiting = new int[1024];
    private bool[] _complete = new bool[1024];
    private float[] _latent = vectors ? new float[1024 * latentDimension] : [];
    private float[] _reconstruction = vectors ? new float[1024 * channels] : [];
    private float[] _contributions = vectors ? new float[1024 * channels] : [];

    /// <summary>The position after the last row added.</summary>
    public long End => _end;

    /// <summary>Adds row <paramref name="position"/> (the next one): no window yet, NaN vectors.</summary>
    public void Add(long position)
    {
        if (position != _end) throw new InvalidOperationException($"Rows must be added in order: expected row {_end}, got {position}.");
        if (_end - _start == _capacity) Grow();
        int i = Slot(position);
        _own[i] = float.NaN;
        _sum[i] = 0;
        _count[i] = 0;
        _waiting[i] = 0;
        _complete[i] = false;
        if (vectors)
        {
            _latent.AsSpan(i * latentDimension, latentDimension).Fill(float.NaN);
            _reconstruction.AsSpan(i * channels, channels).Fill(float.NaN);
            _contributions.AsSpan(i * channels, channels).Fill(float.NaN);
        }
        _end++;
    }

    /// <summary>Forgets the rows before <paramref name="position"/>.</summary>
    public void DropBefore(long position) => _start = Math.Clamp(position, _start, _end);

    /// <summary>True when the row is held.</summary>
    public bool Holds(long position) => position >= _start && position < _end;

    public ref float Own(long position) => ref _own[Slot(position)];
    public ref int Waiting(long position) => ref _waiting[Slot(position)];
    public ref bool Complete(long position) => ref _complete[Slot(position)];

    /// <summary>Adds a covering window's score.</summary>
    public void AddCovering(long position, float score)
    {
        int i = Slot(position);
        _sum[i] += score;
        _count[i]++;
        _waiting[i]--;
    }

    /// <summary>The mean score of the covering windows, NaN when none covers the row.</summary>
    public float Mean(long position)
    {
        int i = Slot(position);
        return _count[i] == 0 ? float.NaN : (float)(_sum[i] / _count[i]);
    }

    public Span<float> Latent(long position) => _latent.AsSpan(Slot(position) * latentDimension, latentDimension);
    public Span<float> Reconstruction(long position) => _reconstruction.AsSpan(Slot(position) * channels, channels);
    public Span<float> Contributions(long position) => _contributions.AsSpan(Slot(position) * channels, channels);

    /// <summary>Marks every held row complete (the input ended).</summary>
    public void CompleteAll()
    {
        for (long p = _start; p < _end; p++) _complete[Slot(p)] = true;
    }

    private int Slot(long position) => (int)(position & (_capacity - 1));

    private void Grow()
    {
        int capacity = _capacity * 2;
        T[] Moved<T>(T[] old, int width)
        {
            var moved = new T[capacity * width];
            for (long p = _start; p < _end; p++) Array.Copy(old, Slot(p) * width, moved, (int)(p & (capacity - 1)) * width, width);
            return moved;
        }
        var own = Moved(_own, 1);
        var sum = Moved(_sum, 1);
        var count = Moved(_count, 1);
        var waiting = Moved(_waiting, 1);
        var complete = Moved(_complete, 1);
        if (vectors)
        {
            _latent = Moved(_latent, latentDimension);
            _reconstruction = Moved(_reconstruction, channels);
            _contributions = Moved(_contributions, channels);
        }
        (_own, _sum, _count, _waiting, _complete) = (own, sum, count, waiting, complete);
        _capacity = capacity;
    }
}
