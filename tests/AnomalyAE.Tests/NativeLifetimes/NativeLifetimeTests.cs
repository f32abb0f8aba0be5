using TorchSharp;
using static TorchSharp.torch;

namespace AnomalyAE.Tests.NativeLifetimes;

/// <summary>
/// No code of ours hands libtorch a scalar that the finalizer may free during the call (see the library's
/// <c>ExplicitScalars</c>): read from the compiled IL, so a new variant cannot forget the rule.
/// </summary>
public sealed class NativeLifetimeTests
{
    private static readonly Lazy<ImplicitScalarRule> Rule = new(() => new ImplicitScalarRule(typeof(torch).Assembly.Location));

    [Fact]
    public void NoShippedAssemblyMakesAnImplicitScalarOrCallsATorchSharpMemberThatDoes()
    {
        // The library, and every other assembly of ours next to it that is not a test.
        string folder = Path.GetDirectoryName(typeof(AutoencoderCatalog).Assembly.Location)!;
        var assemblies = Directory.GetFiles(folder, "AnomalyAE*.dll").Where(p => !Path.GetFileName(p).Contains(".Tests", StringComparison.Ordinal)).ToList();
        Assert.Contains(assemblies, p => Path.GetFileName(p) == "AnomalyAE.dll");
        var violations = new List<string>();
        foreach (var path in assemblies)
        {
            using var assembly = new AssemblyIl(path);
            violations.AddRange(Rule.Value.Violations(assembly).Select(v => $"{assembly.Name}: {v}"));
        }
        Assert.True(violations.Count == 0,
            "Scalars that the finalizer may free during their native call (use ExplicitScalars, a module-owned Scalar or a using declaration):" +
            Environment.NewLine + string.Join(Environment.NewLine, violations.Distinct()));
    }

    [Theory]
    [InlineData("TorchSharp.torch/Tensor::add(TorchSharp.torch/Tensor)")]                              // add(target, 1)
    [InlineData("TorchSharp.torch/Tensor::op_Addition(TorchSharp.torch/Tensor, TorchSharp.torch/Tensor)")]
    [InlineData("TorchSharp.torch/Tensor::add_(TorchSharp.Scalar)")]                                   // add_(scalar, 1)
    [InlineData("TorchSharp.torch/Tensor::square()")]                                                  // pow(2)
    [InlineData("TorchSharp.torch/Tensor::op_Multiply(TorchSharp.torch/Tensor, Double)")]
    [InlineData("TorchSharp.torch/Tensor::op_Subtraction(Int32, TorchSharp.torch/Tensor)")]
    [InlineData("TorchSharp.torch/nn/functional::leaky_relu(TorchSharp.torch/Tensor, Double, Boolean)")]
    public void TheRuleFindsTorchSharpMembersThatMakeAScalarThemselves(string member) =>
        Assert.NotNull(Rule.Value.WhyUnsafe(member));

    [Theory]
    [InlineData("TorchSharp.torch/Tensor::add(TorchSharp.torch/Tensor, TorchSharp.Scalar)")]
    [InlineData("TorchSharp.torch/Tensor::sub(TorchSharp.torch/Tensor)")]
    [InlineData("TorchSharp.torch/Tensor::op_Subtraction(TorchSharp.torch/Tensor, TorchSharp.torch/Tensor)")]
    [InlineData("TorchSharp.torch/Tensor::mul(TorchSharp.Scalar)")]
    [InlineData("TorchSharp.torch/Tensor::pow(TorchSharp.Scalar)")]
    [InlineData("TorchSharp.torch/nn/functional::batch_norm(TorchSharp.torch/Tensor, TorchSharp.torch/Tensor, TorchSharp.torch/Tensor, TorchSharp.torch/Tensor, TorchSharp.torch/Tensor, Boolean, Double, Double)")]
    public void TheRuleLetsExplicitScalarMembersThrough(string member) =>
        Assert.Null(Rule.Value.WhyUnsafe(member));

    [Fact]
    public void TheRuleFindsModulesWhoseForwardPassesAnImplicitScalar()
    {
        Assert.True(Rule.Value.IsUnsafeModule("TorchSharp.Modules.LeakyReLU"));
        Assert.True(Rule.Value.IsUnsafeModule("TorchSharp.Modules.BatchNorm1d"));   // through its base class BatchNorm
        Assert.False(Rule.Value.IsUnsafeModule("TorchSharp.Modules.Linear"));
        Assert.False(Rule.Value.IsUnsafeModule("TorchSharp.Modules.ReLU"));
    }

    [Fact]
    public void TheScanNamesEveryKindOfViolationInCompiledCode()
    {
        using var tests = new AssemblyIl(typeof(NativeLifetimeTests).Assembly.Location);
        var found = Rule.Value.Violations(tests).Where(v => v.Contains(nameof(ViolationExamples), StringComparison.Ordinal)).ToList();
        Assert.Contains(found, v => v.Contains($"{nameof(ViolationExamples.ImplicitConversion)} → TorchSharp.Scalar::op_Implicit(Double)", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains($"{nameof(ViolationExamples.TensorPlusTensor)} → TorchSharp.torch/Tensor::op_Addition", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains($"{nameof(ViolationExamples.UnsafeModule)} → TorchSharp.torch/nn::ELU", StringComparison.Ordinal));
        Assert.Contains(found, v => v.Contains($"{nameof(ViolationExamples.UndisposedScalar)} → TorchSharp.ScalarExtensionMethods::ToScalar(Double)", StringComparison.Ordinal));
        Assert.DoesNotContain(found, v => v.Contains(nameof(ViolationExamples.Safe), StringComparison.Ordinal));
    }

    /// <summary>Code the scan must flag (never run), and code it must not.</summary>
    private static class ViolationExamples
    {
        public static Tensor ImplicitConversion(Tensor t) => t.mul(0.5);
        public static Tensor TensorPlusTensor(Tensor a, Tensor b) => a + b;
        public static nn.Module<Tensor, Tensor> UnsafeModule() => nn.ELU();
        public static Tensor UndisposedScalar(Tensor t) => t.mul(0.5.ToScalar());

        public static Tensor Safe(Tensor a, Tensor b)
        {
            using var half = 0.5.ToScalar();
            return (a - b).mul(half);
        }
    }
}
