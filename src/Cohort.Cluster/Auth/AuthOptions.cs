namespace Cohort.Cluster.Auth;

/// <summary>
/// JWT bearer authentication and the users' passwords (section <c>Cohort:Auth</c>). On by default: a node refuses
/// to start without a <see cref="SigningKey"/> unless <see cref="Enabled"/> is false.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Cohort:Auth";

    /// <summary>HMAC-SHA256 needs a key at least as long as its output: shorter ones could be guessed offline from a token.</summary>
    public const int MinKeyBytes = 32;

    public bool Enabled { get; set; } = true;

    /// <summary>Base64 of at least <see cref="MinKeyBytes"/> random bytes (<c>openssl rand -base64 32</c>): signs and checks every token.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "cohort";

    public string Audience { get; set; } = "cohort";

    /// <summary>How long a token from login is valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How far a token's times may lie from this node's clock. Small: an expired token stops working soon after.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// PBKDF2-SHA256 iterations of a new password hash (stored hashes keep their own count). OWASP asks 600,000 for
    /// SHA-256; 210,000 keeps one login near 60 ms of CPU on the two cores a node shares here. Raise it on bigger machines.
    /// </summary>
    public int PasswordIterations { get; set; } = 210_000;

    /// <summary>Failed logins of one username within <see cref="FailedLoginWindow"/> that lock it.</summary>
    public int MaxFailedLogins { get; set; } = 5;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a locked username refuses every login, good passwords too.</summary>
    public TimeSpan Lockout { get; set; } = TimeSpan.FromMinutes(15);
}
