# Node image. Confluent.Kafka 1.9.3 runs on the distribution's librdkafka (see build/Kafka.props).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Cohort.Node/Cohort.Node.csproj -c Release -o /app/node \
 && dotnet publish src/Cohort.Cli/Cohort.Cli.csproj -c Release -o /app/cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends librdkafka1 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app/node /app/node
COPY --from=build /app/cli /app/cli
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
# Exec form, so SIGTERM reaches the node: it finishes its batches, commits, leaves the group and exits 0.
ENTRYPOINT ["dotnet", "/app/node/Cohort.Node.dll"]
