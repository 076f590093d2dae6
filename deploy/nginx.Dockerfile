# Debian's nginx, as scripts/nginx.sh installs it for `make cluster`: the load balancer of
# docker-compose.yml runs the same version as the one the tests check deploy/nginx.conf.j2 with.
# Its configuration (deploy/nginx.conf) is mounted by docker-compose.yml.
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*
EXPOSE 5005 5055
CMD ["nginx", "-e", "stderr", "-g", "daemon off;"]
