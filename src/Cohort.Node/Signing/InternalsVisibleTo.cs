using System.Runtime.CompilerServices;

// The signing checks are tested directly, without an HTTP round trip per case.
[assembly: InternalsVisibleTo("Cohort.Node.Tests")]
