using System.Diagnostics;
using AnomalyAE.Hosting.Channels;
using AnomalyAE.Hosting.Health;
using AnomalyAE.Hosting.Models;
using AnomalyAE.Hosting.Records;
using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting;

/// <summary>
/// The background loop: open the channel (retrying while it is unreachable), then read a batch, score it with the current
/// model, commit outcomes and acknowledgements, repeat. On shutdown it stops reading but finishes and commits the batch
/// in flight.
/// </summary>
internal sealed class ScoringWorker(
    IRecordChannelFactory channels, ModelStore models, ScoringMetrics metrics, WorkerHealth health,
    IOptions<ScoringOptions> options, ILogger<ScoringWorker> log) : BackgroundService
{
    private readonly ScoringOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // scoring is CPU-bound: leave the host's start-up thread
        await using var channel = await OpenAsync(stoppingToken);
        if (channel is null) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            Records.RecordBatch batch;
            try
            {
                batch = await channel.ReadAsync(_options.BatchSize, stoppingToken);
                metrics.Backlog(await channel.BacklogAsync(stoppingToken) ?? 0);
                health.ChannelReached();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Reading records failed; retrying");
                health.ChannelFailed(e.Message);
                await PauseAsync(stoppingToken);
                continue;
            }
            if (batch.Count == 0)
            {
                health.Progressed(0);
                await PauseAsync(stoppingToken);
                continue;
            }
            // From here the batch completes even if shutdown is requested: its records are scored, written and acknowledged.
            await ProcessBatchAsync(channel, batch);
        }
        log.LogInformation("Scoring worker stopped after {Records} records", health.RecordsScored);
    }

    /// <summary>The channel, once it opens; null when the host stops first.</summary>
    private async Task<IRecordChannel?> OpenAsync(CancellationToken stoppingToken)
    {
        for (int attempt = 0; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var channel = await channels.CreateAsync(stoppingToken);
                health.ChannelReached();
                return channel;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Not ready until it opens; the readiness check reports the reason.
                log.LogError("Opening the {Source} record channel failed: {Reason}; retrying", _options.Source, e.Message);
                health.ChannelFailed(e.Message);
                await PauseAsync(stoppingToken, Backoff(attempt));
            }
        }
        return null;
    }

    private async Task ProcessBatchAsync(IRecordChannel channel, Records.RecordBatch batch)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var lease = models.Acquire();
            var series = lease.Model.Scorer as SeriesRecordScorer;
            try
            {
                if (series is not null) await series.PrepareAsync(batch, CancellationToken.None);
                var outcomes = lease.Model.Scorer.Score(batch);
                await channel.CommitAsync(outcomes, CancellationToken.None);
                Done(outcomes, clock);
            }
            catch
            {
                series?.Forget(batch); // its windows may have moved past records that come again
                throw;
            }
        }
        catch (Exception e)
        {
            // Not acknowledged: the records are delivered again (Redis) or the file is retried (inbox).
            log.LogError(e, "Scoring a batch of {Records} records failed; it will be retried", batch.Count);
            health.BatchFailed(e.Message);
        }
    }

    private void Done(ScoredBatch outcomes, Stopwatch clock)
    {
        int scored = outcomes.Scored, anomalies = outcomes.Anomalies, rejected = outcomes.Rejected;
            metrics.BatchDone(scored, anomalies, rejected, clock.Elapsed);
            health.Progressed(scored);
            log.LogInformation("Scored {Records} records: {Anomalies} anomalies, {DeadLettered} dead-lettered, {LatencyMs:F1} ms", scored, anomalies, rejected, clock.Elapsed.TotalMilliseconds);
        foreach (var (id, reason) in outcomes.Rejections.Take(3))
            log.LogWarning("Dead-lettered record {Id}: {Reason}", id, reason);
    }

    /// <summary>IdleDelay doubled per failed attempt, at most <see cref="MaxBackoff"/>: a server that is down is not hammered.</summary>
    private TimeSpan Backoff(int attempt) => TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _options.IdleDelay.Ticks << Math.Min(attempt, 20)));

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private async Task PauseAsync(CancellationToken stoppingToken, TimeSpan? delay = null)
    {
        try
        {
            await Task.Delay(delay ?? _options.IdleDelay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
