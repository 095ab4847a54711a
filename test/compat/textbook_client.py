"""The textbook's Front End Messaging class (chapter 4.5), nearly verbatim, as a compatibility
probe: plain JSON, reply_to only (no correlation_id), polling with basic_get.

Differences from the book, all outside the protocol: the broker address, credentials and
queue name come from the environment, and receive() polls for up to 10 s instead of 1 s
so a loaded CI machine does not fail it. It prints one JSON reply per line.
"""
import json
import os
import sys
import time

import pika


class Messaging:
    request_queue_name = os.environ.get('QUEUE', 'request')
    credentials = pika.PlainCredentials(os.environ['AMQP_USER'], os.environ['AMQP_PASS'])
    host = os.environ.get('AMQP_HOST', '127.0.0.1')
    port = int(os.environ['AMQP_PORT'])

    def __init__(self):
        self.connection = pika.BlockingConnection(
            pika.ConnectionParameters(host=self.host, port=self.port, credentials=self.credentials))
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue=self.request_queue_name)
        self.result_queue = self.channel.queue_declare(queue='', exclusive=True).method.queue

    def close(self):
        self.connection.close()

    def send(self, action, data):
        self.channel.basic_publish(
            exchange='',
            routing_key=self.request_queue_name,
            properties=pika.BasicProperties(reply_to=self.result_queue),
            body=json.dumps({'action': action, 'data': data}) if action else json.dumps({'data': data}),
        )

    def receive(self):
        attempts = 0
        while True:
            method_frame, properties, body = self.channel.basic_get(self.result_queue, auto_ack=True)
            if method_frame:
                return json.loads(body)
            elif attempts > 100:
                return None
            else:
                time.sleep(0.1)
                attempts += 1


def main():
    email = sys.argv[1]
    steps = [
        ('REGISTER', {'email': email, 'hash': 'pbkdf2:sha256:textbook'}),
        ('REGISTER', {'email': email, 'hash': 'pbkdf2:sha256:textbook'}),
        ('GETHASH', {'email': email}),
        ('GETHASH', {'email': 'nobody-' + email}),
        ('FROBNICATE', {}),
        (None, {'email': email}),
    ]
    for action, data in steps:
        msg = Messaging()  # a connection per request, as the book does
        msg.send(action, data)
        print(json.dumps(msg.receive()), flush=True)
        msg.close()


if __name__ == '__main__':
    main()
