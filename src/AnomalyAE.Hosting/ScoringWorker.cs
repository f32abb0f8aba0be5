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
/// model, commit outcomes and acknowledgements, repeat. When the channel allows it (<see cref="IRecordChannel.OverlapsCommits"/>),
/// one commit stays in flight while the next batch is read and scored. On shutdown it stops reading but finishes and
/// commits the batches in flight.
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
        Task committing = Task.CompletedTask;
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
                await committing;
                health.Progressed(0);
                await PauseAsync(stoppingToken);
                continue;
            }
            // From here the batch completes even if shutdown is requested: its records are scored, written and acknowledged.
            var scored = await ScoreAsync(batch);
            await committing;
            committing = scored is { } ready ? CommitAsync(channel, ready) : Task.CompletedTask;
            if (!channel.OverlapsCommits) await committing;
        }
        await committing;
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

    /// <summary>A batch scored and not yet committed: its outcomes, the series scorer of a sequence model, and the clock started with its scoring.</summary>
    private readonly record struct Scored(ScoredBatch Outcomes, SeriesRecordScorer? Series, Stopwatch Clock);

    /// <summary>The batch's outcomes with the current model; null when scoring failed.</summary>
    private async Task<Scored?> ScoreAsync(Records.RecordBatch batch)
    {
        var clock = Stopwatch.StartNew();
        SeriesRecordScorer? series = null;
        try
        {
            using var lease = models.Acquire();
            series = lease.Model.Scorer as SeriesRecordScorer;
            if (series is not null) await series.PrepareAsync(batch, CancellationToken.None);
            return new Scored(lease.Model.Scorer.Score(batch), series, clock);
        }
        catch (Exception e)
        {
            Failed(batch, series, e);
            return null;
        }
    }

    private async Task CommitAsync(IRecordChannel channel, Scored scored)
    {
        try
        {
            await channel.CommitAsync(scored.Outcomes, CancellationToken.None);
            Done(scored.Outcomes, scored.Clock);
        }
        catch (Exception e)
        {
            Failed(scored.Outcomes.Batch, scored.Series, e);
        }
    }

    /// <summary>Not acknowledged: the records are delivered again (Redis) or the file is retried (inbox).</summary>
    private void Failed(Records.RecordBatch batch, SeriesRecordScorer? series, Exception e)
    {
        series?.Forget(batch); // its windows may have moved past records that come again
        log.LogError(e, "Scoring a batch of {Records} records failed; it will be retried", batch.Count);
        health.BatchFailed(e.Message);
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
