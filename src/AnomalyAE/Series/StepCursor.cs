namespace AnomalyAE.Series;

/// <summary>Steps of a time series data view in the order they are windowed: each with its series, its row and its channel values.</summary>
internal interface IStepCursor : IDisposable
{
    /// <summary>Moves to the next step; false at the end.</summary>
    bool MoveNext();

    /// <summary>The step's row in the input (for messages and results).</summary>
    long Row { get; }

    /// <summary>The step's series index.</summary>
    int Series { get; }

    /// <summary>The series' name in messages.</summary>
    string SeriesName(int series);

    /// <summary>Copies the step's channel values.</summary>
    void ReadChannels(Span<float> destination);
}
