namespace Cohort.Cluster.Hosting;

/// <summary>The HOCON files of <c>hocon/</c>, embedded in this assembly.</summary>
public static class CohortHocon
{
    public static string Read(string file)
    {
        using var stream = typeof(CohortHocon).Assembly.GetManifestResourceStream($"hocon/{file}")
            ?? throw new InvalidOperationException($"hocon/{file} is not embedded in {typeof(CohortHocon).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
