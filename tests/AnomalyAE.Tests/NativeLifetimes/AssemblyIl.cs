using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace AnomalyAE.Tests.NativeLifetimes;

/// <summary>
/// A compiled assembly read with System.Reflection.Metadata: each method with the methods its IL calls (call, callvirt,
/// newobj, ldftn), every member named the same way in every assembly, so that a call in ours matches a definition in
/// TorchSharp.
/// </summary>
internal sealed class AssemblyIl : IDisposable
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private readonly PEReader _pe;
    private readonly MetadataReader _md;
    private readonly TypeNames _names;

    public AssemblyIl(string path)
    {
        _pe = new PEReader(File.OpenRead(path));
        _md = _pe.GetMetadataReader();
        _names = new TypeNames(_md);
        Name = _md.GetString(_md.GetAssemblyDefinition().Name);
    }

    public string Name { get; }

    /// <summary>Each type defined here and the type it derives from.</summary>
    public Dictionary<string, string> BaseTypes()
    {
        var bases = new Dictionary<string, string>();
        foreach (var handle in _md.TypeDefinitions)
        {
            var type = _md.GetTypeDefinition(handle);
            if (!type.BaseType.IsNil) bases[_names.Of(handle)] = _names.OfParent(type.BaseType);
        }
        return bases;
    }

    /// <summary>Every method with a body: its name and the instructions that reference a method (call, callvirt, newobj, ldftn).</summary>
    public IEnumerable<IlMethod> Methods()
    {
        foreach (var handle in _md.MethodDefinitions)
        {
            var definition = _md.GetMethodDefinition(handle);
            var signature = definition.DecodeSignature(_names, null);
            var name = new MemberName(_names.Of(definition.GetDeclaringType()), _md.GetString(definition.Name), signature.ParameterTypes, signature.ReturnType);
            var references = definition.RelativeVirtualAddress == 0 ? [] : References(_pe.GetMethodBody(definition.RelativeVirtualAddress).GetILBytes()!);
            yield return new IlMethod(name, references);
        }
    }

    private List<IlReference> References(byte[] il)
    {
        var found = new List<IlReference>();
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            at += size;
            if (op.OperandType == OperandType.InlineMethod)
                found.Add(new IlReference(op.Name!, MemberOf(MetadataTokens.EntityHandle(BitConverter.ToInt32(il, at - 4))), ReturnsNext: at < il.Length && il[at] == OpCodes.Ret.Value));
        }
        return found;
    }

    private MemberName MemberOf(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
            {
                var definition = _md.GetMethodDefinition((MethodDefinitionHandle)handle);
                var signature = definition.DecodeSignature(_names, null);
                return new MemberName(_names.Of(definition.GetDeclaringType()), _md.GetString(definition.Name), signature.ParameterTypes, signature.ReturnType);
            }
            case HandleKind.MemberReference:
            {
                var reference = _md.GetMemberReference((MemberReferenceHandle)handle);
                var signature = reference.DecodeMethodSignature(_names, null);
                return new MemberName(_names.OfParent(reference.Parent), _md.GetString(reference.Name), signature.ParameterTypes, signature.ReturnType);
            }
            case HandleKind.MethodSpecification:
                return MemberOf(_md.GetMethodSpecification((MethodSpecificationHandle)handle).Method);
            default:
                throw new NotSupportedException(handle.Kind.ToString());
        }
    }

    public void Dispose() => _pe.Dispose();
}

/// <param name="ReturnsNext">The next instruction returns: the call's result goes straight to the caller.</param>
internal sealed record IlReference(string OpCode, MemberName Member, bool ReturnsNext);

internal sealed record IlMethod(MemberName Name, List<IlReference> References);

/// <summary>A method named by declaring type, name and signature, with types named alike in every assembly.</summary>
internal sealed record MemberName(string Type, string Name, ImmutableArray<string> Parameters, string Returns)
{
    public string Key => $"{Type}::{Name}({string.Join(", ", Parameters)})";
    public override string ToString() => Key;
    public bool Equals(MemberName? other) => other is not null && Key == other.Key;
    public override int GetHashCode() => Key.GetHashCode();
}

/// <summary>Type names for signatures: namespace-qualified, nested types after '/', generic instances by their definition's name.</summary>
internal sealed class TypeNames(MetadataReader md) : ISignatureTypeProvider<string, object?>
{
    public string Of(TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var name = md.GetString(type.Name);
        var declaring = type.GetDeclaringType();
        return declaring.IsNil ? Qualify(md.GetString(type.Namespace), name) : Of(declaring) + "/" + name;
    }

    public string Of(TypeReferenceHandle handle)
    {
        var type = md.GetTypeReference(handle);
        var name = md.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? Of((TypeReferenceHandle)type.ResolutionScope) + "/" + name
            : Qualify(md.GetString(type.Namespace), name);
    }

    public string OfParent(EntityHandle parent) => parent.Kind switch
    {
        HandleKind.TypeDefinition => Of((TypeDefinitionHandle)parent),
        HandleKind.TypeReference => Of((TypeReferenceHandle)parent),
        // Module<Tensor, Tensor>::call is named by its generic definition, as in the defining assembly.
        HandleKind.TypeSpecification => Definition(md.GetTypeSpecification((TypeSpecificationHandle)parent).DecodeSignature(this, null)),
        _ => parent.Kind.ToString(),
    };

    private static string Definition(string type) => type.Split('<')[0];
    private static string Qualify(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
    public string GetByReferenceType(string elementType) => elementType + "&";
    public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType + "<" + string.Join(",", typeArguments) + ">";
    public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
    public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
    public string GetPinnedType(string elementType) => elementType;
    public string GetPointerType(string elementType) => elementType + "*";
    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
    public string GetSZArrayType(string elementType) => elementType + "[]";
    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => Of(handle);
    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => Of(handle);
    public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
}
