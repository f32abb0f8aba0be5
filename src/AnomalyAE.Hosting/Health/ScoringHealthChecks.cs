namespace AnomalyAE.Hosting;

/// <summary>
/// Names of the worker's health checks (registered with <c>AddHealthChecks</c>, run through <c>HealthCheckService</c>) and the
/// paths of its optional HTTP endpoint (<see cref="HealthOptions.Url"/>), for orchestrator probes.
/// </summary>
public static class ScoringHealthChecks
{
    /// <summary>The liveness check: the scoring loop keeps turning (restart the process when it fails).</summary>
    public const string Liveness = "anomaly-scoring-live";

    /// <summary>The readiness check: a model is loaded and the record channel answers (send no work while it fails).</summary>
    public const string Readiness = "anomaly-scoring-ready";

    /// <summary>Tag of the checks a liveness probe runs.</summary>
    public const string LiveTag = "live";

    /// <summary>Tag of the checks a readiness probe runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Path of the liveness probe: 200 when healthy or degraded, 503 when unhealthy.</summary>
    public const string LivePath = "/health/live";

    /// <summary>Path of the readiness probe: 200 when healthy or degraded, 503 when unhealthy.</summary>
    public const string ReadyPath = "/health/ready";
}
