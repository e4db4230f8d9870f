using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Persistence.Sql.Hosting;
using Akka.Remote.Hosting;
using Cohort.Cluster.Entities;
using Cohort.Cluster.Entities.Accounts;
using Cohort.Cluster.Entities.Carts;
using Cohort.Cluster.Entities.Orders;
using Cohort.Cluster.Entities.Stock;
using Cohort.Cluster.Entities.Transfers;
using Cohort.Cluster.Entities.Users;
using Cohort.Cluster.FlashSales;
using Cohort.Cluster.Metrics;
using Cohort.Cluster.Kafka;
using Cohort.Cluster.Persistence;
using Cohort.Cluster.Persistence.Projections;
using Cohort.Cluster.Singletons;
using LinqToDB;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cohort.Cluster.Hosting;

public static class CohortHosting
{
    public const string SystemName = "cohort";
    public const string Role = "cohort";

    /// <summary>The entity types a node hosts, one line each: each one's folder under Entities/ holds the rest.</summary>
    public static IReadOnlyList<EntityModule> EntityModules { get; } =
    [
        new AccountModule(),
        new TransferModule(),
        new StockModule(),
        new OrderModule(),
        new CartModule(),
        new UserModule(),
    ];

    /// <summary>
    /// Registers a Cohort node: its options, the database, and one ActorSystem with every shard region, singleton and
    /// stream. The entity types are <see cref="EntityModules"/> unless the caller registered its own list first.
    /// </summary>
    public static IServiceCollection AddCohort(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NodeOptions>(configuration.GetSection(NodeOptions.Section));
        services.Configure<ClusterFormationOptions>(configuration.GetSection(ClusterFormationOptions.Section));
        services.Configure<PostgresOptions>(configuration.GetSection(PostgresOptions.Section));
        services.Configure<EntityOptions>(configuration.GetSection(EntityOptions.Section));
        services.Configure<AccountOptions>(configuration.GetSection(AccountOptions.Section));
        services.Configure<TransferOptions>(configuration.GetSection(TransferOptions.Section));
        services.Configure<OrderOptions>(configuration.GetSection(OrderOptions.Section));
        services.Configure<KafkaOptions>(configuration.GetSection(KafkaOptions.Section));
        services.Configure<ReconciliationOptions>(configuration.GetSection(ReconciliationOptions.Section));

        services.TryAddSingleton(EntityModules);

        services.AddSingleton(sp => NpgsqlDataSource.Create(ConnectionString(sp, p => p.PoolSize)));
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<CohortMetrics>();
        services.AddSingleton<Migrator>();
        services.AddSingleton(sp => Formats(sp.GetRequiredService<IReadOnlyList<EntityModule>>()));
        services.AddSingleton<LocalSingletons>();
        services.AddSingleton<ClusterStatus>();
        services.AddSingleton<AccountLedger>();
        services.AddSingleton<TransferHistory>();
        services.AddSingleton<MessageProducer>();
        services.AddSingleton<ProjectionOffsets>();
        services.AddSingleton<AccountEventsToKafka>();
        services.AddSingleton<OrderEventsToKafka>();
        services.AddSingleton<ReportingTables>();
        services.AddSingleton<ProductCatalog>();
        services.AddSingleton<ProductCatalogQuery>();
        services.AddSingleton<OrderBook>();
        services.AddSingleton<OrderBookQuery>();
        services.AddSingleton<SoldOutBoard>();
        services.AddSingleton<Reconciler>();
        // Before the ActorSystem: its journal expects the tables.
        services.AddHostedService<MigrationService>();

        services.AddAkka(SystemName, (akka, sp) =>
        {
            var node = sp.GetRequiredService<IOptions<NodeOptions>>().Value;
            var entities = sp.GetRequiredService<IOptions<EntityOptions>>().Value;
            var formats = sp.GetRequiredService<MessageFormats>();

            akka.ConfigureLoggers(loggers => loggers.AddLoggerFactory());
            AddJournal(akka, formats, JournalConnectionString(ConnectionString(sp, p => p.JournalPoolSize)));
            // An operator's HOCON, over hocon/cohort.conf and the builders: for the tunables this file does not expose.
            if (configuration["Cohort:Akka:Config"] is { Length: > 0 } overrides)
            {
                akka.AddHocon(overrides, HoconAddMode.Prepend);
            }
            FormCluster(akka, sp.GetRequiredService<IOptions<ClusterFormationOptions>>().Value, node);
            akka.WithSoldOutBoard(sp.GetRequiredService<SoldOutBoard>());
            var extractor = new EntityExtractor(entities.ShardCount);
            foreach (var module in sp.GetRequiredService<IReadOnlyList<EntityModule>>())
            {
                module.AddRegion(akka, sp, extractor);
            }
            AddSingletons(akka, sp);
        });

        // After the ActorSystem: hosted services stop in reverse, so the consumer stops (its batches answered, its
        // offsets committed) before the node leaves the cluster and hands its shards off.
        services.AddHostedService<CommandIngestion>();
        return services;
    }

    /// <summary>Every JSON form the serializer knows, from each entity's folder.</summary>
    public static MessageFormats Formats(IEnumerable<EntityModule> modules)
    {
        var formats = new MessageFormats();
        EntityFormats.Register(formats);
        SingletonFormats.Register(formats);
        foreach (var module in modules)
        {
            module.AddFormats(formats);
        }
        return formats;
    }

    /// <summary>Leader-only work: one instance in the cluster, on its oldest member, moving when that member leaves or dies.</summary>
    private static void AddSingletons(AkkaConfigurationBuilder akka, IServiceProvider sp)
    {
        var offsets = sp.GetRequiredService<ProjectionOffsets>();
        var metrics = sp.GetRequiredService<CohortMetrics>();
        var singletons = sp.GetRequiredService<LocalSingletons>();
        var options = new ClusterSingletonOptions { Role = Role };
        akka.WithSingleton<ReconciliationActor>(ReconciliationActor.Name,
                ReconciliationActor.PropsFor(sp.GetRequiredService<Reconciler>(), offsets,
                    sp.GetRequiredService<IOptions<ReconciliationOptions>>().Value, sp.GetRequiredService<MessageProducer>(), metrics, singletons),
                options)
            .WithSingleton<ProjectionRunner>(ProjectionRunner.Name,
                ProjectionRunner.PropsFor([
                    sp.GetRequiredService<ReportingTables>(), sp.GetRequiredService<ProductCatalog>(), sp.GetRequiredService<OrderBook>(),
                    sp.GetRequiredService<AccountEventsToKafka>(), sp.GetRequiredService<OrderEventsToKafka>(),
                ], offsets, metrics, singletons),
                options)
            .WithSingleton<OrderKeeper>(OrderKeeper.Name,
                (_, registry, _) => OrderKeeper.PropsFor(sp.GetRequiredService<OrderBookQuery>(), registry.Get<OrderRegion>(),
                    sp.GetRequiredService<IOptions<OrderOptions>>().Value, singletons),
                options);
    }

    private static void FormCluster(AkkaConfigurationBuilder akka, ClusterFormationOptions cluster, NodeOptions node)
    {
        if (!Cohort.Domain.Identifier.IsValid(node.NodeId))
        {
            throw new InvalidOperationException($"{NodeOptions.Section}:NodeId '{node.NodeId}' must be 1-128 characters of letters, digits and -_.:@");
        }
        if (cluster.SeedNodes.Length == 0)
        {
            // Forming a cluster alone by default would let misconfigured nodes each form their own.
            throw new InvalidOperationException(
                $"{ClusterFormationOptions.Section}:SeedNodes is empty: list the seed members' addresses (akka.tcp://cohort@host:port; " +
                "a node that lists only itself forms a cluster of its own)");
        }
        akka.WithRemoting(cluster.Hostname, cluster.Port, cluster.PublicHostname)
            .WithClustering(new ClusterOptions { SeedNodes = cluster.SeedNodes })
            // Quoted here: the builder writes roles unquoted, and a node id may hold ':' or '@'.
            .AddHocon($"akka.cluster.roles = [\"{Role}\", \"{ClusterStatus.NodeRolePrefix}{node.NodeId}\"]", HoconAddMode.Prepend);
    }

    /// <summary>
    /// Cohort's tunables, its serializer, and the journal and snapshot store on PostgreSQL (whose tables the
    /// migrations create): what every ActorSystem that touches Cohort's journal needs, tests included.
    /// </summary>
    public static AkkaConfigurationBuilder AddJournal(AkkaConfigurationBuilder akka, MessageFormats formats, string connectionString)
    {
        akka.AddHocon(CohortHocon.Read("cohort.conf"), HoconAddMode.Prepend)
            .WithCustomSerializer("cohort", [typeof(ICohortMessage)], system => new CohortSerializer(system, formats));
        var journalTable = JournalTableOptions.Default;
        journalTable.TableName = "event_journal";
        var tagTable = TagTableOptions.Default;
        tagTable.TableName = "event_tags";
        var snapshotTable = SnapshotTableOptions.Default;
        snapshotTable.TableName = "snapshot_store";
        akka.WithSqlPersistence(
            new SqlJournalOptions(isDefaultPlugin: true)
            {
                ConnectionString = connectionString,
                ProviderName = ProviderName.PostgreSQL15,
                AutoInitialize = false,
                DatabaseOptions = new JournalDatabaseOptions(DatabaseMapping.Default) { JournalTable = journalTable, TagTable = tagTable },
            },
            new SqlSnapshotOptions(isDefaultPlugin: true)
            {
                ConnectionString = connectionString,
                ProviderName = ProviderName.PostgreSQL15,
                AutoInitialize = false,
                DatabaseOptions = new SnapshotDatabaseOptions(DatabaseMapping.Default) { SnapshotTable = snapshotTable },
            });
        return akka;
    }

    /// <summary>
    /// The journal's connections plan every statement for its parameters. Npgsql prepares the plugin's recovery
    /// queries, and PostgreSQL then caches a generic plan: planned while the journal was nearly empty, it scanned the
    /// table, and the highest-sequence-number query of every new entity (an order, a transfer) took 2.9 ms instead of
    /// 0.02 ms as the journal grew, which held flash-sale purchases to 310/s (472/s with custom plans, same session).
    /// A connection string that sets Options itself wins.
    /// </summary>
    private static string JournalConnectionString(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(settings.Options))
        {
            settings.Options = "-c plan_cache_mode=force_custom_plan";
        }
        return settings.ConnectionString;
    }

    private static string ConnectionString(IServiceProvider sp, Func<PostgresOptions, int> poolSize)
    {
        var postgres = sp.GetRequiredService<IOptions<PostgresOptions>>().Value;
        if (string.IsNullOrWhiteSpace(postgres.ConnectionString))
        {
            throw new InvalidOperationException($"{PostgresOptions.Section}:ConnectionString is not set");
        }
        // A connection string that sets these itself wins.
        var settings = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        if (!postgres.ConnectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase)
            && !postgres.ConnectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
        {
            settings.MaxPoolSize = poolSize(postgres);
        }
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 32;
            settings.AutoPrepareMinUsages = 2;
        }
        // Nothing Cohort or the journal does leaves session state behind, and resetting it cost a round trip (five
        // statements) every time a connection went back to the pool.
        settings.NoResetOnClose = true;
        return settings.ConnectionString;
    }
}
