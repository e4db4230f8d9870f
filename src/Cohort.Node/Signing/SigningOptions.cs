namespace Cohort.Node.Signing;

/// <summary>
/// HMAC request signing for service callers (section <c>Cohort:Signing</c>). When enabled, every request under
/// <c>/api/</c> must carry the headers of <see cref="SignatureHeaders"/>; <c>/health</c>, <c>/metrics</c> and
/// <c>/admin</c> are never signed, so probes and scrapers need no key.
/// </summary>
public sealed class SigningOptions
{
    public const string Section = "Cohort:Signing";

    /// <summary>Shorter secrets are refused at start: they could be guessed offline from one signed request.</summary>
    public const int MinSecretBytes = 16;

    public bool Enabled { get; set; }

    /// <summary>
    /// The callers' shared secrets by key id. Each secret is the <b>base64</b> encoding of at least
    /// <see cref="MinSecretBytes"/> random bytes (32 recommended: <c>openssl rand -base64 32</c>); the HMAC key is
    /// the decoded bytes, not the base64 text. Key ids are 1-64 characters of letters, digits and <c>-_.</c>.
    /// Several ids may be configured at once, which is how a caller's key is rotated without downtime.
    /// </summary>
    public Dictionary<string, string> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How far a request's timestamp may lie from this node's clock, in either direction. Nonces are remembered
    /// for twice this long: a replay any later carries a timestamp that is stale anyway.
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}
