using System.ComponentModel;
using Serilog;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnomalyAE.Cli.Commands;

/// <summary>anomalyae export: a saved model (.aeml) as one ONNX file, for ONNX Runtime anywhere and libtorch-free scoring with `anomalyae score --model m.onnx`.</summary>
internal sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <MODEL>"), Description("Saved model (.aeml); - for standard input.")] public string Model { get; init; } = "";
        [CommandOption("--out <FILE>"), Description("ONNX file to write (atomically).")] public string Out { get; init; } = "";

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) || string.IsNullOrWhiteSpace(Out)
                ? ValidationResult.Error("--model MODEL and --out FILE are required.")
                : ValidationResult.Success();
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var session = new ModelSession();
        var model = session.Load(settings.Model, out var inputSchema);
        try
        {
            session.Context.Autoencoders().ExportToOnnx(model, inputSchema, settings.Out);
        }
        catch (NotSupportedException e)
        {
            throw new CliException($"{settings.Model}: {e.Message}");
        }
        finally
        {
            (model as IDisposable)?.Dispose();
        }
        Log.Information("Exported {Model} to {Out} (ONNX opset {Opset}); score it with: anomalyae score --model {Out} --data FILE --out FILE",
            settings.Model, settings.Out, OnnxExport.Opset, settings.Out);
        return 0;
    }
}
