using Spectre.Console;

namespace AnomalyAE.Cli.Commands;

/// <summary>
/// A per-epoch progress bar with the current losses on an interactive terminal; elsewhere (pipes, CI) the estimator's
/// own per-epoch log lines, which reach Serilog through MLContext.Log, show the progress.
/// </summary>
internal sealed class TrainingProgressDisplay : IProgress<TrainingProgress>
{
    private ProgressTask? _task;

    public T Run<T>(Func<T> training)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return training();
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                _task = context.AddTask("training"); // its maximum becomes the epochs the estimator chose, at the first report
                result = training();
                _task.Value = _task.MaxValue;
            });
        return result;
    }

    public void Report(TrainingProgress value)
    {
        if (_task is null) return;
        _task.MaxValue = value.TotalEpochs;
        _task.Value = value.Epoch;
        _task.Description = $"epoch {value.Epoch}/{value.TotalEpochs} loss {value.Loss.TrainingLoss:G4}" +
            (value.Loss.ValidationLoss is double v ? $" val {v:G4}" : "");
    }
}
