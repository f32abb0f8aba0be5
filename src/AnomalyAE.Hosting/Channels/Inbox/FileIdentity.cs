using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AnomalyAE.Hosting.Channels.Inbox;

/// <summary>
/// Which file a handle is open on, whatever its name: device and inode on Linux (<c>statx</c>), the same across
/// renames and different for another file under the same name. Where the platform does not tell it (null), a claimed
/// file is recognized by its path, which works as long as nobody but the inbox renames files in its folders.
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int EmptyPath = 0x1000;   // AT_EMPTY_PATH: statx of the descriptor itself
    private const uint InodeMask = 0x100;   // STATX_INO
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>The identity of the file <paramref name="handle"/> is open on; null where it cannot be known.</summary>
    public static FileIdentity? Of(SafeFileHandle handle)
    {
        if (_unavailable) return null;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (statx((int)handle.DangerousGetHandle(), "", EmptyPath, InodeMask, out var status) != 0 || (status.Mask & InodeMask) == 0) return null;
            return new FileIdentity(((ulong)status.DeviceMajor << 32) | status.DeviceMinor, status.Inode);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;   // a C library without statx (glibc before 2.28): paths only
            return null;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>"device:inode", for the checkpoint file.</summary>
    public override string ToString() => $"{Device}:{Inode}";

    /// <summary>Reads <see cref="ToString"/>'s form; null for anything else.</summary>
    public static FileIdentity? Parse(string? text) =>
        text?.Split(':') is [var device, var inode] && ulong.TryParse(device, out ulong d) && ulong.TryParse(inode, out ulong i) ? new FileIdentity(d, i) : null;

    /// <summary>False only when both identities are known and differ.</summary>
    public static bool Same(FileIdentity? a, FileIdentity? b) => a is null || b is null || a == b;

    // struct statx of linux/stat.h: the same layout on every architecture.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct Statx
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this assembly for one call
    private static extern int statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out Statx buffer);
#pragma warning restore SYSLIB1054
}
