namespace Cohort.Cluster.Persistence;

/// <summary>
/// A message that crosses the wire between nodes or reaches the journal. <see cref="CohortSerializer"/> is bound to
/// this interface, so nothing of Cohort's ever falls back to Akka's default serializer.
/// </summary>
public interface ICohortMessage;
