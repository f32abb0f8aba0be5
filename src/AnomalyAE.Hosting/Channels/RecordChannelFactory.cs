using AnomalyAE.Hosting.Channels.Inbox;
using AnomalyAE.Hosting.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnomalyAE.Hosting.Channels;

/// <summary>Creates the configured channel when the worker starts.</summary>
internal interface IRecordChannelFactory
{
    /// <summary>Opens the channel (connects, creates folders or consumer groups).</summary>
    Task<IRecordChannel> CreateAsync(CancellationToken cancellationToken);
}

internal sealed class RecordChannelFactory(IOptions<ScoringOptions> options, ILoggerFactory logs, ScoringMetrics metrics) : IRecordChannelFactory
{
    public async Task<IRecordChannel> CreateAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        return o.Source switch
        {
            RecordSourceKind.Inbox => new InboxChannel(o.Inbox, o.IdField, logs.CreateLogger<InboxChannel>(), alertTopFeatures: o.AlertTopFeatures, metrics: metrics),
            RecordSourceKind.Redis => await RedisStreamChannel.ConnectAsync(o.Redis, o.IdField, logs.CreateLogger<RedisStreamChannel>(), o.AlertTopFeatures, cancellationToken, o.Series.HistoryScanLimit),
            _ => throw new InvalidOperationException($"Unknown source {o.Source}."),
        };
    }
}
