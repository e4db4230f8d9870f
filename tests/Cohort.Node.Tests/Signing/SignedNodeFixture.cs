using System.Security.Cryptography;
using Cohort.Node.Tests.Support;

namespace Cohort.Node.Tests.Signing;

/// <summary>One real Cohort node with request signing enabled, knowing one key.</summary>
public sealed class SignedNodeFixture : SingleNodeFixture
{
    public const string KeyId = "svc-a";

    /// <summary>The HMAC key of <see cref="KeyId"/>; the node is given its base64.</summary>
    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>Signed requests need no token; the tests send one only where they mean to.</summary>
    protected override bool SendsAdminToken => false;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Cohort:Node:AskTimeout"] = "00:00:20",
        ["Cohort:Signing:Enabled"] = "true",
        [$"Cohort:Signing:Keys:{KeyId}"] = Convert.ToBase64String(Key),
    };
}
