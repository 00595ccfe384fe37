FROM node:20 AS web
WORKDIR /web
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:1.27
COPY --from=web /web/dist /usr/share/nginx/html
#! XP105 4:5
