using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AnomalyAE.Hosting.Channels;

/// <summary>
/// Retries a Redis call that failed because the connection was lost or timed out: waits 100 ms, 200 ms, … up to 5 s
/// (with jitter, so that workers do not retry in step) while the client reconnects, for at most <see cref="GiveUpAfter"/>;
/// then the last failure is thrown (the worker logs it and tries again later). Only for calls that are safe to repeat.
/// </summary>
internal sealed class RedisBackoff(ILogger log)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100), LongestDelay = TimeSpan.FromSeconds(5);

    /// <summary>How long a call is retried before its failure is thrown.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromSeconds(60);

    public async Task<T> RunAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        long started = Environment.TickCount64;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var result = await call();
                if (attempt > 1) log.LogInformation("Redis is reachable again: {What} succeeded after {Attempts} attempts", what, attempt);
                return result;
            }
            catch (Exception e) when (e is RedisConnectionException or RedisTimeoutException
                && Environment.TickCount64 - started < GiveUpAfter.TotalMilliseconds && !cancellationToken.IsCancellationRequested)
            {
                var wait = delay * (0.5 + Random.Shared.NextDouble() / 2);
                log.LogWarning("Redis call failed ({What}, attempt {Attempt}): {Reason}; retrying in {Delay:F0} ms", what, attempt, e.Message, wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(LongestDelay.Ticks, delay.Ticks * 2));
            }
        }
    }
}
