namespace AnomalyAE.AspNetCore;

/// <summary>What a route of the endpoint scores: the fields a request row carries, and the answer to rows read for them.</summary>
internal interface IScoringRoute
{
    /// <summary>The fields each request row must carry.</summary>
    IReadOnlyList<ServedColumn> Inputs { get; }

    /// <summary>Scores <paramref name="inputs"/> (read for <see cref="Inputs"/>); one object when <paramref name="asArray"/> is false.</summary>
    ScoresResult Answer(RowBatch inputs, bool asArray);
}
