using AnomalyAE.Stress;
using Xunit.Abstractions;

namespace AnomalyAE.Tests.NativeLifetimes;

/// <summary>
/// Training and scoring under forced garbage collections: a native handle freed by the finalizer during its native call
/// (implicit TorchSharp scalars were) makes libtorch fail at random. Before the explicit-scalar rule, this test failed in
/// most runs; see <see cref="GcStress"/>.
/// </summary>
public sealed class GcStressTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryVariantTrainsAndScoresWhileAnotherThreadForcesCollections()
    {
        // As many rounds of every variant as 40 s allow, with the pre-trained models scored concurrently the whole time.
        var report = GcStress.Run(new GcStress.Settings(Fits: int.MaxValue, Duration: TimeSpan.FromSeconds(40)), new TestOutput(output));
        output.WriteLine(report.ToString());
        Assert.True(report.ScoringLoops >= 3, $"scoring ran only {report.ScoringLoops} loops beside the fits: {report}");
        Assert.True(report.Collections >= 1000, $"only {report.Collections} forced collections: {report}");
        Assert.True(report.FitFailures == 0 && report.ScoringFailures == 0, report.ToString());
    }

    private sealed class TestOutput(ITestOutputHelper output) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;
        public override void WriteLine(string? value) => output.WriteLine(value ?? "");
    }
}
