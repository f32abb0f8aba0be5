namespace AnomalyAE.Tests.NativeLifetimes;

/// <summary>
/// Finds, in compiled IL, every use of a TorchSharp scalar whose managed owner may be finalized during the native call
/// that reads it (see the library's <c>ExplicitScalars</c>). What TorchSharp itself does is read from its own assembly,
/// not from a hand-made list: a TorchSharp method is unsafe when it makes a <c>Scalar</c> (an implicit conversion,
/// <c>ToScalar</c>, its constructor, or any call that returns one) without returning or disposing it, or when it calls
/// an unsafe method. A module type is unsafe when its <c>forward</c>, or a base type's, is unsafe, because <c>call</c>
/// reaches it by virtual dispatch.
/// </summary>
internal sealed class ImplicitScalarRule
{
    private const string Scalar = "TorchSharp.Scalar";
    private const string Tensor = "TorchSharp.torch/Tensor";

    private readonly Dictionary<string, string> _unsafeMembers = [];   // member → why
    private readonly HashSet<string> _unsafeModules = [];

    public ImplicitScalarRule(string torchSharpPath)
    {
        using var torch = new AssemblyIl(torchSharpPath);
        var methods = torch.Methods().ToList();
        foreach (var method in methods)
        {
            if (method.Name.Returns == Scalar) continue;   // hands its scalar to the caller, who owns it
            var made = method.References.FirstOrDefault(MakesScalar);
            if (made is null || method.References.Any(r => DisposesScalar(r) || IsKeepAlive(r))) continue;
            _unsafeMembers[method.Name.Key] = $"makes a Scalar with {made.Member.Name} and does not keep it alive";
        }
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var method in methods)
            {
                if (method.Name.Returns == Scalar || _unsafeMembers.ContainsKey(method.Name.Key)) continue;
                var via = method.References.FirstOrDefault(r => _unsafeMembers.ContainsKey(r.Member.Key));
                if (via is null) continue;
                _unsafeMembers[method.Name.Key] = $"calls {via.Member.Key}";
                grew = true;
            }
        }
        _unsafeModules.UnionWith(methods.Where(m => m.Name.Name == "forward" && _unsafeMembers.ContainsKey(m.Name.Key)).Select(m => m.Name.Type));
        var baseTypes = torch.BaseTypes();
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (type, baseType) in baseTypes)
                if (_unsafeModules.Contains(baseType) && _unsafeModules.Add(type)) grew = true;
        }
    }

    /// <summary>Why <paramref name="member"/> is unsafe, or null.</summary>
    public string? WhyUnsafe(string member) => _unsafeMembers.GetValueOrDefault(member);

    /// <summary>True when a module of <paramref name="type"/> passes an implicit scalar in its forward.</summary>
    public bool IsUnsafeModule(string type) => _unsafeModules.Contains(type);

    /// <summary>Every offending call in <paramref name="assembly"/>, one line each: method → member [why].</summary>
    public IEnumerable<string> Violations(AssemblyIl assembly)
    {
        foreach (var method in assembly.Methods())
        {
            string where = $"{method.Name.Type}::{method.Name.Name}";
            foreach (var reference in method.References)
            {
                var member = reference.Member;
                string? why =
                    member.Name == "op_Implicit" && member.Type is Scalar or Tensor ? "an implicit conversion"
                    : WhyUnsafe(member.Key) is { } reason ? "TorchSharp " + reason
                    : IsUnsafeModule(member.Returns) || (reference.OpCode == "newobj" && IsUnsafeModule(member.Type)) ? "a TorchSharp module whose forward passes an implicit Scalar"
                    : null;
                if (why is not null) yield return $"{where} → {member.Key}: {why}";
            }
            // A Scalar we make ourselves must be disposed after its call (a using declaration), or be owned by an object
            // (made in a constructor) or returned to the caller.
            var made = method.References.FirstOrDefault(r => r.Member.Type == "TorchSharp.ScalarExtensionMethods" || (r.OpCode == "newobj" && r.Member.Type == Scalar));
            if (made is not null && method.Name.Returns != Scalar && method.Name.Name is not ".ctor" and not ".cctor" && !method.References.Any(DisposesScalar))
                yield return $"{where} → {made.Member.Key}: makes a Scalar and never disposes one";
        }
    }

    private static bool MakesScalar(IlReference r) =>
        (r.OpCode == "newobj" && r.Member.Type == Scalar)
        || (r.OpCode != "newobj" && r.Member.Returns == Scalar)
        // A tensor from a value is as short-lived, unless it is what the method returns (gt(null) returns false).
        || (r.Member.Type == Tensor && r.Member.Name == "op_Implicit" && !r.ReturnsNext);

    private static bool DisposesScalar(IlReference r) => r.Member.Name == "Dispose" && r.Member.Type is Scalar or "System.IDisposable";

    private static bool IsKeepAlive(IlReference r) => r.Member.Type == "System.GC" && r.Member.Name == "KeepAlive";
}
