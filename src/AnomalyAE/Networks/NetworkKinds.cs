using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace AnomalyAE.Networks;

/// <summary>Names a network kind in model files; the library's own kinds are registered by it.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class NetworkKindAttribute(string name) : Attribute
{
    /// <summary>The name a model file gives the kind.</summary>
    public string Name { get; } = name;
}

/// <summary>
/// The registry of network kinds: the <see cref="NetworkSpec"/> types a model file may name, each under one name. The
/// library's kinds register themselves (<see cref="NetworkKindAttribute"/>). A kind of your own is one line,
/// <c>NetworkKinds.Register&lt;MySpec&gt;("my-kind")</c>, run before models of that kind are saved or loaded. A file that names
/// a kind not registered is refused, so an untrusted file cannot make the loader build a type it was not given.
/// </summary>
public static class NetworkKinds
{
    private static readonly object Lock = new();
    private static readonly Dictionary<string, Type> ByName = new(StringComparer.Ordinal);
    private static readonly Dictionary<Type, string> ByType = [];
    private static JsonSerializerOptions? _json;

    static NetworkKinds()
    {
        foreach (var type in typeof(NetworkKinds).Assembly.GetTypes())
            if (type.GetCustomAttribute<NetworkKindAttribute>() is { } kind) Add(type, kind.Name);
    }

    /// <summary>Registers <typeparamref name="TSpec"/> under <paramref name="name"/>; registering the same pair again does nothing.</summary>
    /// <exception cref="ArgumentException">The name is blank, or taken by another type, or the type is registered under another name.</exception>
    public static void Register<TSpec>(string name) where TSpec : NetworkSpec
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (typeof(TSpec).IsAbstract) throw new ArgumentException($"{typeof(TSpec).Name} is abstract; register the concrete spec record of the kind.", nameof(TSpec));
        lock (Lock) Add(typeof(TSpec), name);
    }

    /// <summary>The names of the registered kinds.</summary>
    public static IReadOnlyCollection<string> Names
    {
        get { lock (Lock) return [.. ByName.Keys]; }
    }

    /// <summary>The name <paramref name="spec"/>'s kind is registered under, or null.</summary>
    public static string? NameOf(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (Lock) return ByType.GetValueOrDefault(spec.GetType());
    }

    /// <summary>
    /// JSON settings that write and read a <see cref="NetworkSpec"/> under its kind's name (the "network" property), for
    /// the kinds registered now; a later registration gives new settings.
    /// </summary>
    internal static JsonSerializerOptions Json
    {
        get
        {
            lock (Lock)
            {
                return _json ??= new JsonSerializerOptions
                {
                    WriteIndented = true,
                    Converters = { new JsonStringEnumConverter() },
                    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
                    AllowOutOfOrderMetadataProperties = true,
                    TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DerivedKinds([.. ByName]) } },
                };
            }
        }
    }

    private static void Add(Type type, string name)
    {
        if (ByName.TryGetValue(name, out var existing) && existing != type)
            throw new ArgumentException($"The network kind name '{name}' is taken by {existing.Name}; give {type.Name} another name.", nameof(name));
        if (ByType.TryGetValue(type, out var other) && other != name)
            throw new ArgumentException($"{type.Name} is already registered as '{other}'.", nameof(name));
        ByName[name] = type;
        ByType[type] = name;
        _json = null;
    }

    private static Action<JsonTypeInfo> DerivedKinds(KeyValuePair<string, Type>[] kinds) => info =>
    {
        if (info.Type != typeof(NetworkSpec)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "network",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var (name, type) in kinds) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, name));
    };
}
