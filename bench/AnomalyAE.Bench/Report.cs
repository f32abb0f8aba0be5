namespace AnomalyAE.Bench;

/// <summary>Prints measurements side by side with their reference.</summary>
internal static class Report
{
    public static void Header()
    {
        Console.WriteLine($"{"measurement",-30} {"threads",7} {"AnomalyAE",12} {"bare loop",12} {"overhead",9}  target");
    }

    public static void Row(string name, int threads, double ours, double reference, double targetOverhead)
    {
        double overhead = 1 - ours / reference;
        string verdict = overhead <= targetOverhead ? "met" : "MISSED";
        Console.WriteLine($"{name,-30} {threads,7} {ours,12:F0} {reference,12:F0} {overhead,9:P1}  ≤ {targetOverhead:P0} {verdict}");
    }
}
