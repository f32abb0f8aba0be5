using System.Diagnostics;
using AnomalyAE.Hosting.Channels;
using AnomalyAE.Hosting.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting;

/// <summary>
/// The background loop: read a batch, score it with the current model, commit outcomes and acknowledgements,
/// repeat. On shutdown it stops reading but finishes and commits the batch in flight.
/// </summary>
internal sealed class ScoringWorker(
    IRecordChannelFactory channels, ModelProvider models, ScoringMetrics metrics, ScoringHealth health,
    IOptions<ScoringOptions> options, ILogger<ScoringWorker> log) : BackgroundService
{
    private readonly ScoringOptions _options = options.Value;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // scoring is CPU-bound: leave the host's start-up thread
        await using var channel = await channels.CreateAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            Records.RecordBatch batch;
            try
            {
                batch = await channel.ReadAsync(_options.BatchSize, stoppingToken);
                metrics.Backlog(await channel.BacklogAsync(stoppingToken) ?? 0);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Reading records failed; retrying");
                health.Failed(e.Message);
                await Pause(stoppingToken);
                continue;
            }
            if (batch.Count == 0)
            {
                health.Progressed(0);
                await Pause(stoppingToken);
                continue;
            }
            // From here the batch completes even if shutdown is requested: its records are scored, written and acknowledged.
            await ProcessBatch(channel, batch);
        }
        log.LogInformation("Scoring worker stopped after {Records} records", health.RecordsScored);
    }

    private async Task ProcessBatch(IRecordChannel channel, Records.RecordBatch batch)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var lease = models.Acquire();
            var outcomes = lease.Model.Scorer.Score(batch);
            await channel.CommitAsync(outcomes, CancellationToken.None);
            int scored = outcomes.Scored, anomalies = outcomes.Anomalies, rejected = outcomes.Rejected;
            metrics.BatchDone(scored, anomalies, rejected, clock.Elapsed.TotalMilliseconds);
            health.Progressed(scored);
            log.LogInformation("Scored {Records} records: {Anomalies} anomalies, {DeadLettered} dead-lettered, {LatencyMs:F1} ms", scored, anomalies, rejected, clock.Elapsed.TotalMilliseconds);
            foreach (var (id, reason) in outcomes.Rejections.Take(3))
                log.LogWarning("Dead-lettered record {Id}: {Reason}", id, reason);
        }
        catch (Exception e)
        {
            // Not acknowledged: the records are delivered again (Redis) or the file is retried (inbox).
            log.LogError(e, "Scoring a batch of {Records} records failed; it will be retried", batch.Count);
            health.Failed(e.Message);
        }
    }

    private async Task Pause(CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(_options.IdleDelay, stoppingToken);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
