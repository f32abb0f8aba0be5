using System.Diagnostics;
using System.Globalization;

/// <summary>What the machine is and how much memory this process holds.</summary>
internal static class Machine
{
    public static string Cpu() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";

    public static double RssMb() => Status("VmRSS:") ?? Environment.WorkingSet / 1048576.0;

    public static double PeakRssMb() => Status("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;

    private static double? Status(string field)
    {
        if (!File.Exists("/proc/self/status")) return null;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }
}
