// Weakens the GLIBCXX_3.4.32 version requirement of a copied libLibTorchSharp.so.
//
// libLibTorchSharp.so in TorchSharp 0.107 is built with GCC 13, whose <iostream> names
// std::ios_base_library_init() (the only symbol versioned GLIBCXX_3.4.32) without ever relocating
// against it. Older libstdc++ (Debian 12, Ubuntu 22.04: up to 3.4.30) therefore refuse to load the
// library although nothing in it needs the newer runtime. Marking that one Elf64_Vernaux entry of
// .gnu.version_r weak (VER_FLG_WEAK) turns the loader's hard error into nothing at all.
//
// This file is compiled by MSBuild's RoslynCodeTaskFactory (AnomalyAE.targets) as a build task, and
// with ANOMALYAE_ELF_ONLY defined, which leaves out the MSBuild task, into the library (which makes the
// same edit at run time in a cached copy where the build step never ran: Runtime/NativeBackendLoader.cs)
// and into the consumer tests. The ELF types are internal so that they never join the library's API.
#nullable enable
using System;
using System.IO;
using System.Text;

namespace AnomalyAE.Build
{
    /// <summary>What <see cref="ElfVersionNeeds.Weaken"/> did to a file.</summary>
    internal enum WeakenOutcome { Weakened, AlreadyWeak, NotRequired, NotElf64 }

    /// <summary>Reads and edits the version-needs table (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
    internal static class ElfVersionNeeds
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>Sets VER_FLG_WEAK on every needed version called <paramref name="versionName"/>.</summary>
        public static WeakenOutcome Weaken(byte[] elf, string versionName)
        {
            if (!IsElf64LittleEndian(elf)) return WeakenOutcome.NotElf64;
            var outcome = WeakenOutcome.NotRequired;
            foreach (int flagsOffset in FindVernauxFlags(elf, versionName))
            {
                ushort flags = ReadU16(elf, flagsOffset);
                if ((flags & VerFlagWeak) != 0)
                {
                    if (outcome == WeakenOutcome.NotRequired) outcome = WeakenOutcome.AlreadyWeak;
                    continue;
                }
                WriteU16(elf, flagsOffset, (ushort)(flags | VerFlagWeak));
                outcome = WeakenOutcome.Weakened;
            }
            return outcome;
        }

        /// <summary>True when <paramref name="versionName"/> is needed and not marked weak.</summary>
        public static bool RequiresStrictly(byte[] elf, string versionName)
        {
            foreach (int flagsOffset in FindVernauxFlags(elf, versionName))
                if ((ReadU16(elf, flagsOffset) & VerFlagWeak) == 0) return true;
            return false;
        }

        private static System.Collections.Generic.List<int> FindVernauxFlags(byte[] elf, string versionName)
        {
            var found = new System.Collections.Generic.List<int>();
            if (!IsElf64LittleEndian(elf)) return found;
            long sectionTable = (long)ReadU64(elf, 0x28);
            int entrySize = ReadU16(elf, 0x3A), count = ReadU16(elf, 0x3C);
            if (sectionTable <= 0 || entrySize < 64 || sectionTable + (long)entrySize * count > elf.Length)
                throw new InvalidDataException("ELF section header table lies outside the file.");

            for (int i = 0; i < count; i++)
            {
                int header = checked((int)(sectionTable + (long)i * entrySize));
                if (ReadU32(elf, header + 4) != ShtGnuVerneed) continue;
                int offset = checked((int)ReadU64(elf, header + 24));
                int stringsHeader = checked((int)(sectionTable + (long)ReadU32(elf, header + 40) * entrySize));
                int strings = checked((int)ReadU64(elf, stringsHeader + 24));
                uint needCount = ReadU32(elf, header + 44);

                int need = offset;
                for (uint n = 0; n < needCount; n++)
                {
                    int auxCount = ReadU16(elf, need + 2);
                    int aux = need + checked((int)ReadU32(elf, need + 8));
                    for (int a = 0; a < auxCount; a++)
                    {
                        string name = ReadCString(elf, strings + checked((int)ReadU32(elf, aux + 8)));
                        if (name == versionName) found.Add(aux + 4);
                        uint nextAux = ReadU32(elf, aux + 12);
                        if (nextAux == 0) break;
                        aux += checked((int)nextAux);
                    }
                    uint nextNeed = ReadU32(elf, need + 12);
                    if (nextNeed == 0) break;
                    need += checked((int)nextNeed);
                }
            }
            return found;
        }

        private static bool IsElf64LittleEndian(byte[] b) =>
            b.Length >= 64 && b[0] == 0x7f && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F' && b[4] == 2 && b[5] == 1;

        private static void Check(byte[] b, int at, int size)
        {
            if (at < 0 || at + size > b.Length) throw new InvalidDataException($"ELF structure at offset {at} lies outside the file.");
        }
        private static ushort ReadU16(byte[] b, int at) { Check(b, at, 2); return (ushort)(b[at] | b[at + 1] << 8); }
        private static uint ReadU32(byte[] b, int at) { Check(b, at, 4); return BitConverter.ToUInt32(b, at); }
        private static ulong ReadU64(byte[] b, int at) { Check(b, at, 8); return BitConverter.ToUInt64(b, at); }
        private static void WriteU16(byte[] b, int at, ushort v) { b[at] = (byte)v; b[at + 1] = (byte)(v >> 8); }
        private static string ReadCString(byte[] b, int at)
        {
            int end = at;
            while (end < b.Length && b[end] != 0) end++;
            Check(b, at, end - at);
            return Encoding.ASCII.GetString(b, at, end - at);
        }
    }

    /// <summary>Finds out whether this machine's libstdc++ already provides a symbol version.</summary>
    internal static class HostLibStdCxx
    {
        private static readonly string[] Candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        };

        /// <summary>True when a libstdc++.so.6 is found and defines <paramref name="versionName"/>.</summary>
        public static bool Provides(string versionName)
        {
            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            foreach (string path in Candidates)
                if (File.Exists(path) && IndexOf(File.ReadAllBytes(path), needle) >= 0) return true;
            return false;
        }

        // Plain loop: the build task is compiled against netstandard2.0, which has no span search.
        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i <= haystack.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
}

#if !ANOMALYAE_ELF_ONLY
namespace AnomalyAE.Build
{
    /// <summary>
    /// MSBuild task: weakens GLIBCXX_3.4.32 in each given copy of libLibTorchSharp.so, writing through a
    /// temporary file so that a hard link into the NuGet cache is never modified.
    /// </summary>
    public sealed class WeakenGlibcxxRequirement : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required] public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary><c>auto</c>: only when this machine's libstdc++ lacks the version; <c>always</c>: every time.</summary>
        public string Mode { get; set; } = "auto";

        public string VersionName { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            if (Mode == "auto" && HostLibStdCxx.Provides(VersionName))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"AnomalyAE: this machine's libstdc++ provides {VersionName}; libLibTorchSharp.so left as is.");
                return true;
            }
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (!File.Exists(path)) continue;
                byte[] elf = File.ReadAllBytes(path);
                WeakenOutcome outcome;
                try { outcome = ElfVersionNeeds.Weaken(elf, VersionName); }
                catch (InvalidDataException e)
                {
                    Log.LogWarning($"AnomalyAE: could not read {path} as ELF ({e.Message}); left as is.");
                    continue;
                }
                if (outcome != WeakenOutcome.Weakened) continue;
                string temp = path + ".anomalyae.tmp";
                File.WriteAllBytes(temp, elf);
                File.Delete(path);
                File.Move(temp, path);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"AnomalyAE: marked {VersionName} weak in {path}.");
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
